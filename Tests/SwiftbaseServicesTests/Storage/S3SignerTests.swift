import Foundation
import SwiftbaseCore
import Testing

@testable import SwiftbaseServices

/// SigV4 against AWS's published example values (the SigV4 test suite's `get-vanilla` and
/// `get-vanilla-query-order-key-case`, and the S3 guide's "GET Object" example), then the URI encoding and the
/// addressing styles S3 requests use.
@Suite("S3 signer")
struct S3SignerTests {
    static func date(_ stamp: String) -> Date {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        return formatter.date(from: stamp)!
    }

    static let suite = S3Signer(
        accessKey: "AKIDEXAMPLE", secret: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", region: "us-east-1",
        service: "service")
    static let emptyHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

    @Test func getVanilla() {
        let auth = Self.suite.authorization(
            method: "GET", path: "/", query: [],
            headers: [("Host", "example.amazonaws.com"), ("X-Amz-Date", "20150830T123600Z")],
            payloadHash: Self.emptyHash, date: Self.date("20150830T123600Z"))
        #expect(
            auth
                == "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
                + "SignedHeaders=host;x-amz-date, "
                + "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31")
    }

    @Test func queryParametersAreSortedByKey() {
        let auth = Self.suite.authorization(
            method: "GET", path: "/", query: [("Param2", "value2"), ("Param1", "value1")],
            headers: [("Host", "example.amazonaws.com"), ("X-Amz-Date", "20150830T123600Z")],
            payloadHash: Self.emptyHash, date: Self.date("20150830T123600Z"))
        #expect(auth.hasSuffix("Signature=b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"))
    }

    @Test func s3GetObjectWithRange() {
        let signer = S3Signer(
            accessKey: "AKIAIOSFODNN7EXAMPLE", secret: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", region: "us-east-1")
        let auth = signer.authorization(
            method: "GET", path: "/test.txt", query: [],
            headers: [
                ("Host", "examplebucket.s3.amazonaws.com"), ("Range", "bytes=0-9"),
                ("x-amz-content-sha256", Self.emptyHash), ("x-amz-date", "20130524T000000Z"),
            ],
            payloadHash: Self.emptyHash, date: Self.date("20130524T000000Z"))
        #expect(
            auth
                == "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
                + "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "
                + "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41")
    }

    @Test func aChangedSecretOrHeaderChangesTheSignature() {
        let headers = [("Host", "example.amazonaws.com"), ("X-Amz-Date", "20150830T123600Z")]
        let good = Self.suite.authorization(
            method: "GET", path: "/", query: [], headers: headers, payloadHash: Self.emptyHash,
            date: Self.date("20150830T123600Z"))
        let wrongSecret = S3Signer(accessKey: "AKIDEXAMPLE", secret: "x", region: "us-east-1", service: "service")
            .authorization(
                method: "GET", path: "/", query: [], headers: headers, payloadHash: Self.emptyHash,
                date: Self.date("20150830T123600Z"))
        let otherPath = Self.suite.authorization(
            method: "GET", path: "/a", query: [], headers: headers, payloadHash: Self.emptyHash,
            date: Self.date("20150830T123600Z"))
        #expect(good != wrongSecret)
        #expect(good != otherPath)
    }

    @Test func canonicalRequestEncodesPathSegmentsOnceAndTrimsHeaderValues() {
        let (request, signed) = S3Signer.canonicalRequest(
            method: "PUT", path: "/bucket/a b/ü+~.txt", query: [("prefix", "x/y z")],
            headers: [("Host", "h"), ("X-Amz-Meta-Note", "  two   spaces  ")], payloadHash: S3Signer.unsignedPayload)
        #expect(
            request
                == "PUT\n/bucket/a%20b/%C3%BC%2B~.txt\nprefix=x%2Fy%20z\nhost:h\nx-amz-meta-note:two spaces\n\n"
                + "host;x-amz-meta-note\nUNSIGNED-PAYLOAD")
        #expect(signed == "host;x-amz-meta-note")
    }

    @Test func amzDateIsUTC() {
        #expect(S3Signer.amzDate(Date(timeIntervalSince1970: 0)) == "19700101T000000Z")
        #expect(S3Signer.amzDate(Self.date("20261206T235959Z")) == "20261206T235959Z")
    }

    @Test(arguments: [
        (true, "http://127.0.0.1:9000", "http", "127.0.0.1:9000", "/files/a/b.txt"),
        (true, "http://127.0.0.1:9000/", "http", "127.0.0.1:9000", "/files/a/b.txt"),
        (false, "s3.example.com", "https", "files.s3.example.com", "/a/b.txt"),
        (false, "https://s3.example.com", "https", "files.s3.example.com", "/a/b.txt"),
    ])
    func addressing(pathStyle: Bool, endpoint: String, scheme: String, host: String, path: String) {
        let client = S3Client(
            settings: S3Settings(
                enabled: true, bucket: "files", region: "us-east-1", endpoint: endpoint, accessKey: "k", secret: "s",
                forcePathStyle: pathStyle))
        let address = client.address(of: "a/b.txt")
        #expect(address.scheme == scheme)
        #expect(address.host == host)
        #expect(address.path == path)
    }
}
