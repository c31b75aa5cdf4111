import CZlib

/// RFC 1952 decompression with a hard bound on the expanded size: a docZip that would expand past
/// `limit` is refused (a gzip bomb) without ever holding more than `limit` bytes.
public enum Gunzip {
    public static func inflate(_ input: [UInt8], limit: Int) throws(DFeParseError) -> [UInt8] {
        guard input.count >= 18, input[0] == 0x1F, input[1] == 0x8B else {
            throw DFeParseError(.notGzip, "The payload is not a gzip stream.")
        }
        // zlib keeps a pointer back to the stream, so it lives at one address for its whole life.
        let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        stream.initialize(to: z_stream())
        defer { stream.deallocate() }
        // 16 + MAX_WBITS: expect and check the gzip header and trailer.
        guard inflateInit2_(stream, 16 + MAX_WBITS, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw DFeParseError(.notGzip, "zlib could not start.")
        }
        defer { inflateEnd(stream) }
        var output = [UInt8]()
        output.reserveCapacity(min(limit, max(4096, input.count * 6)))
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        var status: Int32 = Z_OK
        var input = input
        let outcome: DFeParseError? = input.withUnsafeMutableBufferPointer { source in
            stream.pointee.next_in = source.baseAddress
            stream.pointee.avail_in = uInt(source.count)
            repeat {
                status = chunk.withUnsafeMutableBufferPointer { buffer in
                    stream.pointee.next_out = buffer.baseAddress
                    stream.pointee.avail_out = uInt(buffer.count)
                    return CZlib.inflate(stream, Z_NO_FLUSH)
                }
                let produced = chunk.count - Int(stream.pointee.avail_out)
                if output.count + produced > limit {
                    return DFeParseError(.tooLarge, "The payload expands past \(limit) bytes.")
                }
                output.append(contentsOf: chunk[0..<produced])
                if status == Z_BUF_ERROR && stream.pointee.avail_in == 0 {
                    return DFeParseError(.notGzip, "The gzip stream is truncated.")
                }
                guard status == Z_OK || status == Z_STREAM_END else {
                    return DFeParseError(.notGzip, "The gzip stream is corrupt.")
                }
            } while status != Z_STREAM_END
            return nil
        }
        if let outcome { throw outcome }
        return output
    }

    /// gzip-compresses (the SEFAZ peer builds docZips with it).
    public static func deflate(_ input: [UInt8], level: Int32 = 6) -> [UInt8] {
        // zlib keeps a pointer back to the stream, so it lives at one address for its whole life.
        let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        stream.initialize(to: z_stream())
        defer { stream.deallocate() }
        guard
            deflateInit2_(
                stream, level, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY, ZLIB_VERSION,
                Int32(MemoryLayout<z_stream>.size)) == Z_OK
        else { return [] }
        defer { deflateEnd(stream) }
        var output = [UInt8](repeating: 0, count: Int(deflateBound(stream, uLong(input.count))) + 64)
        var input = input
        let written: Int = input.withUnsafeMutableBufferPointer { source in
            output.withUnsafeMutableBufferPointer { target in
                stream.pointee.next_in = source.baseAddress
                stream.pointee.avail_in = uInt(source.count)
                stream.pointee.next_out = target.baseAddress
                stream.pointee.avail_out = uInt(target.count)
                guard CZlib.deflate(stream, Z_FINISH) == Z_STREAM_END else { return 0 }
                return target.count - Int(stream.pointee.avail_out)
            }
        }
        return Array(output[0..<written])
    }
}
