import Foundation

extension Builtins {
    private static let componentSafe = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.!~*'()".utf8)
    private static let uriReserved = Set(";,/?:@&=+$#".utf8)

    static func percentEncode(_ text: String, keep: Set<UInt8>) -> String {
        var out = ""
        for byte in text.utf8 {
            if keep.contains(byte) { out.unicodeScalars.append(Unicode.Scalar(byte)) } else { out += String(format: "%%%02X", byte) }
        }
        return out
    }

    /// `decodeURIComponent` / `decodeURI` (which leaves escapes of reserved characters alone).
    static func percentDecode(_ text: String, keepingReserved: Bool) -> String? {
        let bytes = Array(text.utf8)
        var out: [UInt8] = []
        var i = 0
        while i < bytes.count {
            guard bytes[i] == 0x25 else {
                out.append(bytes[i])
                i += 1
                continue
            }
            guard i + 2 < bytes.count, let byte = UInt8(String(decoding: bytes[(i + 1)...(i + 2)], as: UTF8.self), radix: 16) else {
                return nil
            }
            if keepingReserved, uriReserved.contains(byte) {
                out.append(contentsOf: bytes[i...(i + 2)])
            } else {
                out.append(byte)
            }
            i += 3
        }
        return String(validating: out, as: UTF8.self)
    }

    static let encoding: [NativeFunction] = [
        NativeFunction("base64encode", "<s-:s>") { _, args, _ in
            guard case .string(let text)? = arg(args, 0) else { return nil }
            return .string(Data(text.utf16.map { UInt8(truncatingIfNeeded: $0) }).base64EncodedString())
        },
        NativeFunction("base64decode", "<s-:s>") { _, args, _ in
            guard case .string(let text)? = arg(args, 0) else { return nil }
            guard let data = Data(base64Encoded: text, options: .ignoreUnknownCharacters) else { return .string("") }
            return .string(String(data.map { Character(Unicode.Scalar($0)) }))
        },
        NativeFunction("encodeUrlComponent", "<s-:s>") { _, args, _ in
            arg(args, 0)?.stringValue.map { .string(percentEncode($0, keep: componentSafe)) }
        },
        NativeFunction("encodeUrl", "<s-:s>") { _, args, _ in
            arg(args, 0)?.stringValue.map { .string(percentEncode($0, keep: componentSafe.union(uriReserved))) }
        },
        NativeFunction("decodeUrlComponent", "<s-:s>") { _, args, _ in
            guard case .string(let text)? = arg(args, 0) else { return nil }
            guard let decoded = percentDecode(text, keepingReserved: false) else {
                var error = JSONataError("D3140", value: .string(text))
                error.customMessage = "Malformed URL passed to $decodeUrlComponent(): \"\(text)\""
                throw error
            }
            return .string(decoded)
        },
        NativeFunction("decodeUrl", "<s-:s>") { _, args, _ in
            guard case .string(let text)? = arg(args, 0) else { return nil }
            guard let decoded = percentDecode(text, keepingReserved: true) else {
                var error = JSONataError("D3140", value: .string(text))
                error.customMessage = "Malformed URL passed to $decodeUrl(): \"\(text)\""
                throw error
            }
            return .string(decoded)
        },
    ]

    static let dateTime: [NativeFunction] = [
        NativeFunction("millis", "<:n>") { evaluator, _, _ in
            .number((evaluator.timestamp.timeIntervalSince1970 * 1000).rounded(.down))
        },
        NativeFunction("now", "<s?s?:s>") { evaluator, args, _ in
            let millis = (evaluator.timestamp.timeIntervalSince1970 * 1000).rounded(.down)
            return .string(
                try DateTimePicture.format(
                    millis: millis, picture: arg(args, 0)?.stringValue, timezone: arg(args, 1)?.stringValue))
        },
        NativeFunction("fromMillis", "<n-s?s?:s>") { _, args, _ in
            guard let millis = arg(args, 0)?.numberValue else { return nil }
            return .string(
                try DateTimePicture.format(
                    millis: millis, picture: arg(args, 1)?.stringValue, timezone: arg(args, 2)?.stringValue))
        },
        NativeFunction("toMillis", "<s-s?:n>") { _, args, _ in
            guard let text = arg(args, 0)?.stringValue else { return nil }
            if let picture = arg(args, 1)?.stringValue {
                return try DateTimePicture.parse(text, picture: picture).map { .number($0) }
            }
            guard let millis = ISODate.parse(text) else { throw JSONataError("D3110", value: .string(text)) }
            return .number(millis)
        },
    ]
}
