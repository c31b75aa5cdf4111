import FiscalMixTestSupport
import Foundation
import Testing

@testable import FiscalMixBlobs

/// Signature V4 against AWS's documented examples and against botocore (AWS's own Python
/// signer, installed with moto) on requests of our own.
@Suite struct SignatureV4Tests {
    static let exampleCredentials = SignatureV4.Credentials(accessKeyId: MotoServer.accessKeyId, secretAccessKey: MotoServer.secretAccessKey)
    static func date(_ stamp: String) -> Date { ISO8601DateFormatter().date(from: stamp)! }

    /// "Signature Calculations for the Authorization Header" (S3 API reference): GET Object
    /// with a Range header.
    @Test func s3GetObjectExample() {
        let signer = SignatureV4(credentials: Self.exampleCredentials, region: "us-east-1")
        let headers = signer.sign(
            method: "GET", url: URL(string: "https://examplebucket.s3.amazonaws.com/test.txt")!,
            headers: [("Range", "bytes=0-9")], payloadHash: SignatureV4.hash([]),
            date: Self.date("2013-05-24T00:00:00Z"))
        let authorization = headers.first { $0.0 == "authorization" }?.1
        #expect(
            authorization == "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
                + "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "
                + "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41")
    }

    /// "Authenticating Requests: Using Query Parameters" (S3 API reference): a presigned GET.
    @Test func s3PresignedURLExample() {
        let signer = SignatureV4(credentials: Self.exampleCredentials, region: "us-east-1")
        let url = signer.presign(
            url: URL(string: "https://examplebucket.s3.amazonaws.com/test.txt")!, expires: 86_400,
            date: Self.date("2013-05-24T00:00:00Z"))
        let query = URLComponents(url: url, resolvingAgainstBaseURL: false)!.queryItems!
        #expect(query.first { $0.name == "X-Amz-Signature" }?.value == "aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404")
        #expect(query.first { $0.name == "X-Amz-Credential" }?.value == "AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request")
    }

    /// Requests with awkward keys (spaces, unicode, `+`, nested folders) and query strings, signed
    /// here and by botocore: the same Authorization header, and the same presigned signature.
    @Test func matchesBotocore() async throws {
        let signer = SignatureV4(credentials: Self.exampleCredentials, region: "sa-east-1")
        let date = Self.date("2026-11-24T03:04:05Z")
        let cases: [(method: String, url: String, body: String)] = [
            ("PUT", "http://127.0.0.1:9000/fiscal/nfe/2026/11/35261112345678000199550010000012341000012345-nfe.xml", "<nfeProc/>"),
            ("GET", "https://fiscal.s3.sa-east-1.amazonaws.com/exports/a%20b%2Bc/%C3%A7%C3%A3o.zip", ""),
            ("GET", "http://127.0.0.1:9000/fiscal?list-type=2&prefix=nfe%2F2026%2F&continuation-token=a%2Bb%3D%3D", ""),
            ("DELETE", "https://s3.sa-east-1.amazonaws.com/fiscal/x~y_z-1.xml", ""),
        ]
        var lines: [String] = []
        for c in cases {
            let headers = signer.sign(method: c.method, url: URL(string: c.url)!, payloadHash: SignatureV4.hash(Array(c.body.utf8)), date: date)
            let presigned = signer.presign(method: c.method, url: URL(string: c.url)!, expires: 900, date: date)
            let ours = headers.first { $0.0 == "authorization" }!.1
            let presignedSignature = URLComponents(url: presigned, resolvingAgainstBaseURL: false)!.queryItems!.first {
                $0.name == "X-Amz-Signature"
            }!.value!
            lines.append([c.method, c.url, c.body, ours, presignedSignature].joined(separator: "\t"))
        }
        let script = """
            import sys, datetime
            from unittest import mock
            from botocore.auth import S3SigV4Auth, S3SigV4QueryAuth
            from botocore.awsrequest import AWSRequest
            from botocore.credentials import Credentials
            creds = Credentials("\(MotoServer.accessKeyId)", "\(MotoServer.secretAccessKey)")
            fixed = datetime.datetime(2026, 11, 24, 3, 4, 5)
            failures = 0
            for line in sys.stdin.read().splitlines():
                method, url, body, ours, presigned = line.split("\\t")
                with mock.patch("botocore.auth.get_current_datetime", return_value=fixed):
                    request = AWSRequest(method=method, url=url, data=body.encode())
                    S3SigV4Auth(creds, "s3", "sa-east-1").add_auth(request)
                    theirs = request.headers["Authorization"]
                    query = AWSRequest(method=method, url=url)
                    S3SigV4QueryAuth(creds, "s3", "sa-east-1", expires=900).add_auth(query)
                    their_presigned = query.url.split("X-Amz-Signature=")[1].split("&")[0]
                if theirs != ours:
                    failures += 1
                    print("header mismatch for", method, url, "\\n ours:  ", ours, "\\n theirs:", theirs)
                if their_presigned != presigned:
                    failures += 1
                    print("presign mismatch for", method, url, their_presigned, presigned)
            print("ok" if failures == 0 else "failed")
            """
        let output = try await PythonCheckers.shared.run(script: script, input: Data(lines.joined(separator: "\n").utf8))
        #expect(output.hasSuffix("ok\n"), "\(output)")
    }

    @Test func uriEncodingFollowsRFC3986() {
        #expect(SignatureV4.uriEncode("a b+c/ç~") == "a%20b%2Bc%2F%C3%A7~")
        #expect(SignatureV4.uriEncode("nfe/2026/a b.xml", keepSlash: true) == "nfe/2026/a%20b.xml")
    }
}
