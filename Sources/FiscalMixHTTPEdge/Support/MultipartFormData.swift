import FiscalMixCore

/// `multipart/form-data` (RFC 7578) bodies: the parts and their bytes, by field name.
package struct MultipartFormData {
    package struct Part {
        package var name: String
        package var filename: String?
        package var contentType: String?
        package var body: [UInt8]
    }

    package let parts: [Part]
    /// Bounds besides the body's own size: forms here have a handful of fields.
    package static let maxParts = 64
    package static let maxHeaderBytes = 8 * 1024

    package func part(_ name: String) -> Part? { parts.first { $0.name == name } }

    /// The boundary from a `Content-Type: multipart/form-data; boundary=…` header.
    package static func boundary(fromContentType contentType: String?) throws(RequestError) -> String {
        guard let contentType, contentType.lowercased().hasPrefix("multipart/form-data") else {
            throw RequestError(.badRequest, .unsupportedMediaType, "Send the body as multipart/form-data.")
        }
        for parameter in contentType.split(separator: ";").dropFirst() {
            let pair = parameter.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: " \t") }
            if pair.count == 2, pair[0].lowercased() == "boundary" {
                let value = pair[1].trimmingCharacters(in: "\"")
                if (1...70).contains(value.count) { return value }
            }
        }
        throw RequestError(.badRequest, .malformedMultipart, "The multipart/form-data body names no boundary.")
    }

    package init(body: [UInt8], boundary: String) throws(RequestError) {
        let malformed = RequestError(.badRequest, .malformedMultipart, "The multipart/form-data body is malformed.")
        let delimiter = Array("--\(boundary)".utf8)
        let separator = Array("\r\n--\(boundary)".utf8)
        guard var cursor = Self.find(delimiter, in: body, from: 0) else { throw malformed }
        cursor += delimiter.count
        var parts: [Part] = []
        while true {
            // After a delimiter: "--" closes the body, CRLF opens a part.
            if body.count >= cursor + 2, body[cursor] == UInt8(ascii: "-"), body[cursor + 1] == UInt8(ascii: "-") { break }
            guard body.count >= cursor + 2, body[cursor] == 13, body[cursor + 1] == 10 else { throw malformed }
            cursor += 2
            guard parts.count < Self.maxParts else {
                throw RequestError(.badRequest, .malformedMultipart, "The body has more than \(Self.maxParts) parts.")
            }
            guard let headerEnd = Self.find(Array("\r\n\r\n".utf8), in: body, from: cursor), headerEnd - cursor <= Self.maxHeaderBytes else {
                throw malformed
            }
            let headerText = String(decoding: body[cursor..<headerEnd], as: UTF8.self)
            cursor = headerEnd + 4
            guard let next = Self.find(separator, in: body, from: cursor) else { throw malformed }
            var part = Part(name: "", filename: nil, contentType: nil, body: Array(body[cursor..<next]))
            for line in headerText.split(separator: "\r\n") {
                let pair = line.split(separator: ":", maxSplits: 1)
                guard pair.count == 2 else { throw malformed }
                let value = pair[1].trimmingCharacters(in: " \t")
                switch pair[0].lowercased() {
                case "content-disposition":
                    for parameter in value.split(separator: ";").dropFirst() {
                        let kv = parameter.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: " \t") }
                        guard kv.count == 2 else { continue }
                        let text = kv[1].trimmingCharacters(in: "\"")
                        if kv[0].lowercased() == "name" { part.name = text }
                        if kv[0].lowercased() == "filename" { part.filename = text }
                    }
                case "content-type": part.contentType = value
                default: break
                }
            }
            guard !part.name.isEmpty else { throw malformed }
            parts.append(part)
            cursor = next + separator.count
        }
        self.parts = parts
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8], from start: Int) -> Int? {
        guard !needle.isEmpty, haystack.count >= needle.count, start <= haystack.count - needle.count else { return nil }
        let first = needle[0]
        var index = start
        while index <= haystack.count - needle.count {
            if haystack[index] == first {
                var matched = true
                for k in 1..<needle.count where haystack[index + k] != needle[k] { matched = false; break }
                if matched { return index }
            }
            index += 1
        }
        return nil
    }
}

private extension StringProtocol {
    func trimmingCharacters(in set: String) -> String {
        var view = Substring(self)
        while let first = view.first, set.contains(first) { view = view.dropFirst() }
        while let last = view.last, set.contains(last) { view = view.dropLast() }
        return String(view)
    }
}
