package dev.strata.actors;

/**
 * Marker for messages that may cross nodes: bound to Pekko's Jackson CBOR serializer in
 * {@code reference.conf}.
 */
public interface CborSerializable {}
