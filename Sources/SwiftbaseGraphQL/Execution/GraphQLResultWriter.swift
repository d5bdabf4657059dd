import Foundation
import GraphQL
import OrderedCollections
import SwiftbaseCore

/// Writes a GraphQL result as JSON bytes without `Codable`: `data` walked directly (keys in the selection's
/// order, numbers as the package's encoder writes doubles, strings escaped by the core's writer), errors —
/// rare, and with nested locations and extensions — through the package's own encoder. The package's
/// `GraphQLJSONEncoder` boxes every value and casts it back, which cost as much as answering a list of 50
/// records.
enum GraphQLResultWriter {
    /// - Parameter prewritten: JSON written elsewhere for some root fields of `data` (the database's list
    ///   answers), written in place of their values there.
    static func json(_ result: GraphQLResult, prewritten: [String: [UInt8]] = [:]) throws -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(4096 + prewritten.values.reduce(0) { $0 + $1.count })
        out.append(UInt8(ascii: "{"))
        var first = true
        if let data = result.data {
            out.append(contentsOf: #""data":"#.utf8)
            if prewritten.isEmpty {
                write(data, into: &out)
            } else {
                write(data, prewritten: prewritten, into: &out)
            }
            first = false
        }
        if !result.errors.isEmpty {
            if !first { out.append(UInt8(ascii: ",")) }
            out.append(contentsOf: #""errors":"#.utf8)
            out.append(contentsOf: try GraphQLJSONEncoder().encode(result.errors))
        }
        out.append(UInt8(ascii: "}"))
        return out
    }

    /// The root `data` object with the prewritten fields' JSON in place of their values.
    private static func write(_ data: Map, prewritten: [String: [UInt8]], into out: inout [UInt8]) {
        guard case .dictionary(let members) = data else { return write(data, into: &out) }
        out.append(UInt8(ascii: "{"))
        var first = true
        for (key, member) in members where member != .undefined {
            if !first { out.append(UInt8(ascii: ",")) }
            first = false
            JSONWriter.writeString(key, into: &out)
            out.append(UInt8(ascii: ":"))
            if let json = prewritten[key] {
                out.append(contentsOf: json)
            } else {
                write(member, into: &out)
            }
        }
        out.append(UInt8(ascii: "}"))
    }

    static func write(_ value: Map, into out: inout [UInt8]) {
        switch value {
        case .undefined, .null:
            out.append(contentsOf: "null".utf8)
        case .bool(let flag):
            out.append(contentsOf: (flag ? "true" : "false").utf8)
        case .number(let number):
            JSONWriter.writeNumber(number.doubleValue, into: &out)
        case .string(let text):
            JSONWriter.writeString(text, into: &out)
        case .array(let items):
            out.append(UInt8(ascii: "["))
            for (index, item) in items.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                write(item, into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .dictionary(let members):
            out.append(UInt8(ascii: "{"))
            var first = true
            for (key, member) in members where member != .undefined {
                if !first { out.append(UInt8(ascii: ",")) }
                first = false
                JSONWriter.writeString(key, into: &out)
                out.append(UInt8(ascii: ":"))
                write(member, into: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }
}
