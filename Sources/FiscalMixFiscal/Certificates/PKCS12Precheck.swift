import FiscalMixCore

/// Checks a PKCS#12 file before BoringSSL opens it.
///
/// swift-nio-ssl stops the process (`fatalError`) when a PKCS#12 parses but yields no private key
/// or no certificate matching it, so such files must never reach it. CA-issued A1 files (and
/// OpenSSL, Windows and Java exports) keep the key in a pkcs8ShroudedKeyBag inside a plain `data`
/// SafeContents, where its bag type is visible without the password; a file without a visible key
/// bag is refused here.
enum PKCS12Precheck {
    /// DER of OIDs 1.2.840.113549.1.12.10.1.2 (pkcs8ShroudedKeyBag) and .1 (keyBag).
    static let shroudedKeyBag: [UInt8] = [0x06, 0x0B, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x0C, 0x0A, 0x01, 0x02]
    static let keyBag: [UInt8] = [0x06, 0x0B, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x0C, 0x0A, 0x01, 0x01]
    /// DER of 1.2.840.113549.1.7.1 (data): every PFX's authSafe starts with it.
    static let dataContent: [UInt8] = [0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x07, 0x01]

    static func check(_ pfx: [UInt8]) throws(FiscalError) {
        guard pfx.count > 32, pfx[0] == 0x30, contains(pfx, dataContent) else {
            throw FiscalError(
                .unprocessable, .certificateNotPkcs12, "The file is not a PKCS#12 (.pfx/.p12) certificate.",
                details: ["field": "file"])
        }
        guard contains(pfx, shroudedKeyBag) || contains(pfx, keyBag) else {
            throw FiscalError(
                .unprocessable, .certificateNoPrivateKey,
                "The file holds no private key (an A1 certificate file carries the key with the certificate).",
                details: ["field": "file"])
        }
    }

    static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard haystack.count >= needle.count else { return false }
        var index = 0
        while index <= haystack.count - needle.count {
            if haystack[index] == needle[0], Array(haystack[index..<(index + needle.count)]) == needle { return true }
            index += 1
        }
        return false
    }
}
