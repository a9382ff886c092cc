package dev.strata.index.ivf;

/** How the full-precision vectors of an IVF section are stored. */
public enum VectorEncoding {
    /** IEEE 754 binary32, exact. */
    F32(0, Float.BYTES),
    /** IEEE 754 binary16 (half the bytes; distances are exact on the rounded vectors). */
    F16(1, Short.BYTES);

    private final int code;
    private final int bytesPerElement;

    VectorEncoding(int code, int bytesPerElement) {
        this.code = code;
        this.bytesPerElement = bytesPerElement;
    }

    public int code() {
        return code;
    }

    public int bytesPerElement() {
        return bytesPerElement;
    }

    /** The encoding stored as {@code code}, or {@code null} if none is. */
    static VectorEncoding fromCode(int code) {
        for (VectorEncoding e : values()) {
            if (e.code == code) {
                return e;
            }
        }
        return null;
    }
}
