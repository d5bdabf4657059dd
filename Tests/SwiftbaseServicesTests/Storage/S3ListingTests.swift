import Foundation
import Testing

@testable import SwiftbaseServices

/// The ListObjectsV2 pages and error bodies S3-compatible services answer.
@Suite("S3 listing")
struct S3ListingTests {
    @Test func pageWithObjectsAndContinuation() {
        let xml = """
            <?xml version="1.0" encoding="UTF-8"?>
            <ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>b</Name><Prefix></Prefix>
            <KeyCount>2</KeyCount><IsTruncated>true</IsTruncated><NextContinuationToken>t&amp;1</NextContinuationToken>
            <Contents><Key>c1/r1/a&amp;b.txt</Key><LastModified>2026-12-06T10:55:01.000Z</LastModified><Size>12</Size></Contents>
            <Contents><Key>pb_backup.zip</Key><LastModified>2026-12-06T10:55:02Z</LastModified><Size>3</Size></Contents>
            </ListBucketResult>
            """
        let page = S3Listing.parse(Array(xml.utf8))
        #expect(page.isTruncated)
        #expect(page.nextToken == "t&1")
        #expect(page.objects.map(\.key) == ["c1/r1/a&b.txt", "pb_backup.zip"])
        #expect(page.objects.map(\.size) == [12, 3])
        #expect(page.objects[0].modified == Date(timeIntervalSince1970: 1_796_554_501))
        #expect(page.objects[1].modified == Date(timeIntervalSince1970: 1_796_554_502))
    }

    @Test func emptyPage() {
        let page = S3Listing.parse(Array("<ListBucketResult><IsTruncated>false</IsTruncated></ListBucketResult>".utf8))
        #expect(page == S3Listing.Page())
    }

    @Test func errorIsDescribedAsPocketBaseDoes() {
        let raw = "<Error><Code>NoSuchBucket</Code><Message>The specified bucket does not exist</Message></Error>"
        let error = S3ResponseError(status: 404, raw: Array(raw.utf8))
        #expect(error.description == "404 NoSuchBucket: The specified bucket does not exist\n(RAW: \(raw))")
        #expect(S3ResponseError(status: 403, raw: []).description == "403 S3ResponseError")
    }

    @Test func entitiesAreUnescaped() {
        #expect(S3Listing.unescape("a&lt;b&gt;&quot;&apos;&#65;&#x42;&unknown;") == "a<b>\"'AB&unknown;")
    }
}
