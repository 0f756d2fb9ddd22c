package dev.streamae.streams;

import dev.streamae.image.ImageDecoder;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;

/**
 * Checks and decodes each {@link ImageRecord} into a {@link ValidImage}. A bad image throws
 * {@link dev.streamae.image.InvalidImageException}; the processing exception handler then writes the
 * raw record to the dead-letter queue with the exception message as its reason and processing goes
 * on. Validation lives in this named processor, not in a lambda, so the topology description names
 * the step that rejected a record.
 */
final class ImageValidator implements FixedKeyProcessor<String, ImageRecord, ValidImage> {

    private final ImageDecoder decoder;
    private FixedKeyProcessorContext<String, ValidImage> context;

    ImageValidator(ImageDecoder decoder) {
        this.decoder = decoder;
    }

    @Override
    public void init(FixedKeyProcessorContext<String, ValidImage> context) {
        this.context = context;
    }

    @Override
    public void process(FixedKeyRecord<String, ImageRecord> record) {
        ImageRecord image = record.value();
        if (image == null) {
            throw new dev.streamae.image.InvalidImageException("empty record (null value)");
        }
        String id = image.id() != null ? image.id() : record.key();
        float[] pixels = decoder.decode(id, image.pixels(), image.u8(), image.png(), image.width(), image.height()).pixels();
        long timestamp = image.timestamp() != null ? image.timestamp() : record.timestamp();
        context.forward(record.withValue(new ValidImage(id, pixels, image.label(), timestamp)));
    }
}
