import Testing

@testable import SwiftbaseCore

@Suite struct FieldJSONTests {
    @Test func textFieldSerializesEveryKey() throws {
        let json = SystemCollections.idField().json
        #expect(
            json
                == [
                    "id": "text3208210256", "name": "id", "type": "text", "system": true, "hidden": false,
                    "presentable": false, "required": true, "help": "", "min": 15, "max": 15,
                    "pattern": "^[a-z0-9]+$", "autogeneratePattern": "[a-z0-9]{15}", "primaryKey": true,
                ])
        #expect(try FieldModel(json: try #require(json.objectValue)) == SystemCollections.idField())
    }

    @Test func autodateHasNoRequiredOrHelp() throws {
        let field = FieldModel(id: "x", name: "created", required: true, help: "h", options: .autodate(AutodateFieldOptions()))
        let object = try #require(field.json.objectValue)
        #expect(object["required"] == nil)
        #expect(object["help"] == nil)
        #expect(object["onCreate"] == true)
        #expect(try FieldModel(json: object).required == false)
    }

    @Test func numberMinMaxAreNullable() throws {
        let field = try FieldModel(json: ["name": "n", "type": "number", "min": .null, "max": 5])
        #expect(field.options == .number(NumberFieldOptions(min: nil, max: 5)))
        #expect(field.json["min"] == .null)
    }

    @Test(arguments: FieldOptions.allTypeNames)
    func everyTypeRoundTrips(type: String) throws {
        let field = try FieldModel(json: ["name": "f", "type": .string(type), "id": "abc"])
        #expect(field.type == type)
        #expect(try FieldModel(json: try #require(field.json.objectValue)) == field)
    }

    @Test(arguments: [
        ["name": "f", "type": "nope"], ["name": "f"], ["name": "f", "type": "text", "min": "5"],
        ["name": "f", "type": "text", "min": 1.5], ["name": 5, "type": "text"], ["name": "f", "type": "select", "values": [1]],
    ] as [[String: JSONValue]])
    func malformedFieldsFail(json: [String: JSONValue]) {
        #expect(throws: SwiftbaseError.badRequest("Failed to load the submitted data due to invalid formatting.")) {
            try FieldModel(json: json)
        }
    }
}

@Suite struct CollectionJSONTests {
    @Test func baseCollectionDefaultsAndFieldIDs() throws {
        let c = try CollectionModel(json: [
            "name": "posts", "listRule": "", "fields": [["name": "title", "type": "text"], ["name": "title", "type": "text", "max": 5]],
        ])
        #expect(c.type == .base)
        #expect(c.listRule == "")
        #expect(c.viewRule == nil)
        #expect(c.fields.count == 1)
        #expect(c.fields[0].id == "text724990059")
        #expect(c.fields[0].options == .text(TextFieldOptions(max: 5)))
    }

    @Test func repeatedGeneratedIDsGetSuffixes() throws {
        let c = try CollectionModel(json: [
            "name": "x", "fields": [["name": "other", "type": "text", "id": "text724990059"], ["name": "title", "type": "text"]],
        ])
        #expect(c.fields.map(\.id) == ["text724990059", "text7249900592"])
    }

    @Test func unknownTypeIsMalformed() {
        #expect(throws: SwiftbaseError.self) { try CollectionModel(json: ["name": "x", "type": "graph"]) }
    }

    @Test func authSecretsAreNeverSerialized() throws {
        let users = SystemCollections.users()
        let json = users.json
        #expect(json["authToken"] == ["duration": 432_000])
        #expect(json["fileToken"] == ["duration": 180])
        #expect(json["passwordAuth"] == ["enabled": true, "identityFields": ["email"]])
        #expect(json["oauth2"]?["mappedFields"]?["avatarURL"] == "avatar")
        #expect(json["authRule"] == "")
        #expect(json["manageRule"] == .null)
        #expect(!json.jsonString.contains(users.auth?.authTokenSecret ?? "-"))

        let stored = users.jsonIncludingSecrets
        #expect(stored["authToken"]?["secret"] == .string(users.auth?.authTokenSecret ?? ""))
        #expect(try CollectionModel(json: try #require(stored.objectValue)) == users)
    }

    @Test func extraTokenSecretsAndClientSecretsAreRedacted() throws {
        var c = try CollectionModel(json: [
            "name": "members", "type": "auth", "verificationToken": ["secret": "s3cret", "duration": 100],
            "oauth2": ["providers": [["name": "google", "clientId": "id", "clientSecret": "cs"]]], "mfa": ["enabled": true],
        ])
        #expect(c.auth?.extra["mfa"] == ["enabled": true, "duration": 600, "rule": ""])
        #expect(c.auth?.extra["verificationToken"] == ["secret": "s3cret", "duration": 100])
        c.auth?.authTokenSecret = "a"
        let text = c.json.jsonString
        #expect(!text.contains("s3cret"))
        #expect(!text.contains("\"cs\""))
        // Every provider key shown, as PocketBase shows them, but the secret.
        #expect(
            c.json["oauth2"]?["providers"] == [
                [
                    "name": "google", "clientId": "id", "authURL": "", "tokenURL": "", "userInfoURL": "",
                    "displayName": "", "pkce": nil, "extra": nil,
                ]
            ])
        #expect(c.jsonIncludingSecrets["oauth2"]?["providers"]?.arrayValue?.first?["clientSecret"] == "cs")
        #expect(c.json["verificationTemplate"]?["subject"] != nil)
    }

    @Test func viewQueryOnlyOnViews() throws {
        let view = try CollectionModel(json: ["name": "v", "type": "view", "viewQuery": "select id from posts"])
        #expect(view.viewQuery == "select id from posts")
        #expect(view.json["viewQuery"] == "select id from posts")
        #expect(SystemCollections.idField().json["viewQuery"] == nil)
        #expect(try CollectionModel(json: ["name": "b", "viewQuery": "x"]).json["viewQuery"] == nil)
    }
}
