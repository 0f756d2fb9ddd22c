package dev.streamae.streams;

import dev.streamae.image.ImageDecoder;
import dev.streamae.image.InvalidImageException;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;

/**
 * Checks and decodes each {@link ImageRecord} into a {@link ValidImage}. A bad image throws
 * {@link InvalidImageException}; the processing exception handler then writes the raw record to
 * the dead-letter queue with the exception message as its reason and processing goes on.
 * Validation lives in this named processor, not in a lambda, so the topology description names
 * the step that rejected a record; {@link #validate} is also what {@link BufferReplay} applies
 * to the records it reads again, so both reach the same verdict on every record.
 */
final class ImageValidator implements FixedKeyProcessor<String, ImageRecord, ValidImage> {

    private static final JsonSerde<ImageRecord> SERDE = JsonSerde.of(ImageRecord.class);

    private final ImageDecoder decoder;
    private final ModelRouting routing;
    private FixedKeyProcessorContext<String, ValidImage> context;

    ImageValidator(ImageDecoder decoder, ModelRouting routing) {
        this.decoder = decoder;
        this.routing = routing;
    }

    @Override
    public void init(FixedKeyProcessorContext<String, ValidImage> context) {
        this.context = context;
    }

    @Override
    public void process(FixedKeyRecord<String, ImageRecord> record) {
        context.forward(record.withValue(validate(decoder, routing, record.key(), record.value(), record.timestamp())));
    }

    /**
     * The valid image a record of {@code images} carries, read as it is stored (JSON bytes): what
     * the records read back from the topic go through ({@link BufferReplay}, {@link FeedbackProcessor}).
     *
     * @throws org.apache.kafka.common.errors.SerializationException when the value is no ImageRecord JSON
     * @throws InvalidImageException when it is no valid image for {@code decoder}, or names a model
     *     {@code routing} refuses
     */
    static ValidImage validate(ImageDecoder decoder, ModelRouting routing, String key, byte[] json, long recordTimestamp) {
        return validate(decoder, routing, key, SERDE.fromBytes(json), recordTimestamp);
    }

    /**
     * The valid image a record carries.
     *
     * @param key the record key: the image id when the record has none of its own
     * @param recordTimestamp the record's timestamp: the image's when it has none of its own
     * @throws InvalidImageException when the record is no valid image for {@code decoder}, or names a
     *     model {@code routing} refuses
     */
    static ValidImage validate(ImageDecoder decoder, ModelRouting routing, String key, ImageRecord image,
                               long recordTimestamp) {
        if (image == null) {
            throw new InvalidImageException("empty record (null value)");
        }
        String id = image.id() != null ? image.id() : key;
        float[] pixels = decoder.decode(id, image.pixels(), image.u8(), image.png(), image.width(), image.height()).pixels();
        // The image's time becomes its score's record timestamp, which Kafka refuses when negative:
        // caught only when the batch is forwarded, it would lose the images scored after it.
        if (image.timestamp() != null && image.timestamp() < 0) {
            throw new InvalidImageException("timestamp is " + image.timestamp() + ": epoch milliseconds cannot be negative");
        }
        long timestamp = image.timestamp() != null ? image.timestamp() : recordTimestamp;
        return new ValidImage(id, pixels, image.label(), timestamp, routing.route(image.model()));
    }
}
