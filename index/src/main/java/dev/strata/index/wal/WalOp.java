package dev.strata.index.wal;

import dev.strata.index.doc.DocId;
import dev.strata.index.doc.Document;
import dev.strata.index.doc.Schema;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** One write operation in a WAL batch: upsert a document, patch some attributes of an id, or delete an id. */
public sealed interface WalOp {

    DocId id();

    /** Replaces the whole document (vector and attributes). Values are canonical. */
    record Upsert(Document document) implements WalOp {
        public Upsert {
            if (document == null) {
                throw new IllegalArgumentException("upsert without a document");
            }
        }

        @Override
        public DocId id() {
            return document.id();
        }
    }

    /**
     * Sets the given attributes of an existing document; a null value removes the attribute.
     * Patching an id that does not exist does nothing.
     */
    record Patch(DocId id, Map<String, Object> attributes) implements WalOp {
        public Patch {
            if (id == null) {
                throw new IllegalArgumentException("patch without an id");
            }
            Map<String, Object> copy = new LinkedHashMap<>();
            for (Map.Entry<String, Object> e : attributes.entrySet()) {
                Schema.checkAttributeName(e.getKey());
                copy.put(e.getKey(), e.getValue());
            }
            attributes = Collections.unmodifiableMap(copy);
        }
    }

    /** Removes the document with this id, if any. */
    record Delete(DocId id) implements WalOp {
        public Delete {
            if (id == null) {
                throw new IllegalArgumentException("delete without an id");
            }
        }
    }
}
