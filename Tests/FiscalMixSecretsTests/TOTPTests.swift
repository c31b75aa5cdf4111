import FiscalMixSecrets
import Foundation
import Testing

@Suite struct TOTPTests {
    /// RFC 6238 appendix B, SHA-1 secret, truncated to 6 digits.
    let rfc = TOTP(secret: Array("12345678901234567890".utf8))

    @Test(arguments: [
        (59, "287082"), (1_111_111_109, "081804"), (1_111_111_111, "050471"), (1_234_567_890, "005924"),
        (2_000_000_000, "279037"), (20_000_000_000, "353130"),
    ])
    func matchesRFC6238Vectors(_ time: Int, _ code: String) {
        #expect(rfc.code(step: TOTP.step(at: Date(timeIntervalSince1970: TimeInterval(time)))) == code)
    }

    @Test func acceptsOneStepEitherSideAndNoMore() {
        let now = Date(timeIntervalSince1970: 1_111_111_109)
        let step = TOTP.step(at: now)
        #expect(rfc.verify(rfc.code(step: step - 1), at: now, lastUsedStep: nil) == step - 1)
        #expect(rfc.verify(rfc.code(step: step + 1), at: now, lastUsedStep: nil) == step + 1)
        #expect(rfc.verify(rfc.code(step: step - 2), at: now, lastUsedStep: nil) == nil)
        #expect(rfc.verify(rfc.code(step: step + 2), at: now, lastUsedStep: nil) == nil)
    }

    @Test func refusesAStepAlreadyUsed() {
        let now = Date(timeIntervalSince1970: 1_111_111_109)
        let step = TOTP.step(at: now)
        let code = rfc.code(step: step)
        #expect(rfc.verify(code, at: now, lastUsedStep: step - 1) == step)
        #expect(rfc.verify(code, at: now, lastUsedStep: step) == nil)
    }

    @Test func refusesMalformedCodes() {
        let now = Date()
        #expect(rfc.verify("12345", at: now, lastUsedStep: nil) == nil)
        #expect(rfc.verify("abcdef", at: now, lastUsedStep: nil) == nil)
        #expect(rfc.verify("", at: now, lastUsedStep: nil) == nil)
    }

    @Test func provisioningURIFollowsKeyUriFormat() throws {
        let uri = rfc.provisioningURI(account: "ana@example.com")
        #expect(uri.hasPrefix("otpauth://totp/FiscalMix:ana@example.com?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=FiscalMix"))
        #expect(uri.contains("digits=6") && uri.contains("period=30") && uri.contains("algorithm=SHA1"))
    }

    @Test(arguments: [("", ""), ("f", "MY"), ("fo", "MZXQ"), ("foo", "MZXW6"), ("foob", "MZXW6YQ"), ("fooba", "MZXW6YTB"), ("foobar", "MZXW6YTBOI")])
    func base32MatchesRFC4648(_ plain: String, _ encoded: String) {
        #expect(Base32.encode(Array(plain.utf8)) == encoded)
        #expect(Base32.decode(encoded) == Array(plain.utf8))
    }
}
