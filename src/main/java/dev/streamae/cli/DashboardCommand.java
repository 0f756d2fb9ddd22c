package dev.streamae.cli;

import dev.streamae.streams.StreamAeSettings;
import dev.streamae.web.Dashboard;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code streamae dashboard}: serves the live dashboard until interrupted. It reads the scorer's
 * configuration file by default because it must expect what the scorer serves: the same model
 * name, architecture and snapshot signing key, and the same Kafka connection settings.
 */
@Command(name = "dashboard", mixinStandardHelpOptions = true,
        description = {"Serves the live dashboard: training loss and threshold, anomaly rate, throughput, model "
                + "version and age, dead letters, the latest alerts beside their reconstructions, recent "
                + "reconstructions and the 3-D latent space, fed from the output topics and the newest model.",
                "Reads config/scorer.properties by default. Runs until interrupted (Ctrl-C)."})
final class DashboardCommand implements Callable<Integer> {

    @Mixin
    ConfigOptions options;

    @Option(names = "--bind", paramLabel = "ADDRESS", defaultValue = Dashboard.DEFAULT_BIND,
            description = "Address to listen on. Default: ${DEFAULT-VALUE} (this machine only); "
                    + "0.0.0.0 shows the dashboard to anyone who can reach this machine.")
    String bind;

    @Option(names = "--port", paramLabel = "PORT", defaultValue = "" + Dashboard.DEFAULT_PORT,
            description = "Port to listen on (0: any free port). Default: ${DEFAULT-VALUE}.")
    int port;

    @Override
    public Integer call() throws Exception {
        // The page's images are drawn off-screen; a stale DISPLAY must not make that fail.
        System.setProperty("java.awt.headless", "true");
        Map<String, String> config = options.load("scorer.properties");
        StreamAeSettings settings = StreamAeSettings.from(config);
        Map<String, Object> client = new HashMap<>(config);
        client.put("bootstrap.servers", ConfigOptions.bootstrap(config));
        CountDownLatch stopped = new CountDownLatch(1);
        Dashboard dashboard = new Dashboard(client, settings, bind, port).start();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            dashboard.close();
            stopped.countDown();
        }, "dashboard-shutdown"));
        System.out.printf("dashboard for model %s on %s: open %s (Ctrl-C to stop)%n", settings.modelName(),
                ConfigOptions.bootstrap(config), dashboard.url());
        stopped.await();
        return 0;
    }
}
