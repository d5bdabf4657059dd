import Testing

@testable import SwiftbaseCore

@Suite("Mail templates")
struct MailTemplateTests {
    @Test func placeholdersAreReplacedOnceLeftToRight() {
        let replaced = MailTemplate.replace(
            "Hi {RECORD:name}, {APP_NAME} says {TOKEN} {UNKNOWN} {", ["{RECORD:name}": "{TOKEN}", "{APP_NAME}": "Acme",
                "{TOKEN}": "t0k"])
        // A value that looks like a placeholder is not expanded again; unknown ones stay as they are.
        #expect(replaced == "Hi {TOKEN}, Acme says t0k {UNKNOWN} {")
    }

    @Test func rendersCollectionTemplatesWithRecordFieldsButNoSecrets() {
        var collection = SystemCollections.users()
        collection.auth?.extra["verificationTemplate"] = [
            "subject": "Verify {RECORD:email} for {APP_NAME}",
            "body": "<a href=\"{APP_URL}/v/{TOKEN}\">go</a> {RECORD:password}{RECORD:tokenKey}",
        ]
        let record = RecordModel(
            collectionId: collection.id, collectionName: collection.name,
            values: ["email": "ann@example.com", "password": "$2a$hash", "tokenKey": "secret-key"])
        let template = MailTemplate("verificationTemplate", of: collection)
        let rendered = template?.render(
            settings: MailSettings(appName: "Acme", appURL: "http://h"), record: record, collection: collection,
            values: ["TOKEN": "abc.DEF.ghi"])
        #expect(rendered?.subject == "Verify ann@example.com for Acme")
        #expect(rendered?.html == "<a href=\"http://h/v/abc.DEF.ghi\">go</a> {RECORD:password}{RECORD:tokenKey}")
    }

    @Test func otpTemplateLivesUnderEmailTemplate() {
        let template = MailTemplate("otp", of: SystemCollections.users())
        #expect(template?.body.contains("{OTP}") == true)
    }

    @Test func plainTextKeepsLinksWithTheirCase() {
        let text = MailTemplate.plainText(
            fromHTML: "<p>Hello,</p>\n<p><a class=\"btn\" href=\"http://H/x/AbC.dEf\">Confirm</a></p><p>a &amp; b<br/>c</p>")
        #expect(text.contains("http://H/x/AbC.dEf"))
        #expect(text.contains("a & b\nc"))
        #expect(!text.contains("<"))
    }
}
