import Foundation
import Testing

@testable import SwiftbaseCore

/// Parsing, case by case, against what PocketBase's `tools/cron` accepts and refuses.
@Suite("Cron schedule parsing")
struct CronScheduleTests {
    static let all = Array(0...59)

    @Test(arguments: [
        ("* * * * *", CronField.minute, Array(0...59)),
        ("*/15 * * * *", .minute, [0, 15, 30, 45]),
        ("*/59 * * * *", .minute, [0, 59]),
        ("1-10/3 * * * *", .minute, [1, 4, 7, 10]),
        ("5/1 * * * *", .minute, [5]),
        ("0,30,30 * * * *", .minute, [0, 30]),
        ("1-3,7,50-59/5 * * * *", .minute, [1, 2, 3, 7, 50, 55]),
        ("+5 * * * *", .minute, [5]),  // Go's Atoi takes a sign, as PocketBase parses
        ("05 * * * *", .minute, [5]),
        ("59 23 31 12 6", .minute, [59]),
        ("* 23 * * *", .hour, [23]),
        ("* */6 * * *", .hour, [0, 6, 12, 18]),
        ("* * */10 * *", .dayOfMonth, [1, 11, 21, 31]),
        ("* * */31 * *", .dayOfMonth, [1]),
        ("* * 31 * *", .dayOfMonth, [31]),
        ("* * * */4 *", .month, [1, 5, 9]),
        ("* * * 2-12/5 *", .month, [2, 7, 12]),
        ("* * * * */6", .dayOfWeek, [0, 6]),
        ("* * * * 1-5", .dayOfWeek, [1, 2, 3, 4, 5]),
    ])
    func fieldValues(expression: String, field: CronField, values: [Int]) throws {
        let schedule = try CronSchedule(parsing: expression)
        #expect(schedule.values(of: field) == values)
        #expect(schedule.expression == expression)
    }

    @Test(arguments: [
        ("@yearly", "0 0 1 1 *"), ("@annually", "0 0 1 1 *"), ("@monthly", "0 0 1 * *"), ("@weekly", "0 0 * * 0"),
        ("@daily", "0 0 * * *"), ("@midnight", "0 0 * * *"), ("@hourly", "0 * * * *"),
    ])
    func macrosStandForTheirFields(macro: String, fields: String) throws {
        let schedule = try CronSchedule(parsing: macro)
        #expect(schedule.expression == fields)
        #expect(schedule == (try CronSchedule(parsing: fields)))
    }

    @Test(arguments: [
        "", " ", "* * * *", "* * * * * *", " * * * * *", "* * * * * ", "*  * * * *", "*\t* * * *", "*\n* * * *",
        "60 * * * *", "* 24 * * *", "* * 0 * *", "* * 32 * *", "* * * 0 *", "* * * 13 *", "* * * * 7", "* * * * 1-7",
        "-1 * * * *", "5-1 * * * *", "*/0 * * * *", "*/60 * * * *", "* * * * */7", "* * * */13 *", "5/2 * * * *",
        "1-2-3 * * * *", "1/2/3 * * * *", ",1 * * * *", "1, * * * *", "1,,2 * * * *", "a * * * *", "1a * * * *",
        "5- * * * *", "-5 * * * *", "*/ * * * *", "/5 * * * *", "** * * * *", "*-5 * * * *", "*/-1 * * * *",
        "99999999999999999999 * * * *", "*/99999999999999999999 * * * *", "１ * * * *", "* *\u{301} * * *",
        "@sometimes", "@DAILY", "@daily ", " @daily", "@", "@reboot", "? * * * *", "L * * * *", "* * * * MON",
        "* * * JAN *",
    ])
    func refused(expression: String) {
        #expect(throws: CronScheduleError.self) { try CronSchedule(parsing: expression) }
    }

    @Test func errorsSayWhichFieldIsWrong() {
        #expect(throws: CronScheduleError.self) { try CronSchedule(parsing: "* 25 * * *") }
        do {
            _ = try CronSchedule(parsing: "* 25 * * *")
        } catch {
            #expect(error.description.contains("hour"))
        }
        do {
            _ = try CronSchedule(parsing: "* * * *")
        } catch {
            #expect(error.description.contains("5 fields"))
        }
    }

    @Test func everyMinuteIsTheParsedWildcard() throws {
        #expect(CronSchedule.everyMinute == (try CronSchedule(parsing: "* * * * *")))
    }

    /// The settings validator refuses what the parser refuses (one implementation).
    @Test func settingsValidatorUsesTheParser() {
        func cronError(_ cron: String) -> Bool {
            let errors = SettingsValidator.backups(["cron": .string(cron), "cronMaxKeep": 3])
            return errors["cron"] != nil
        }
        #expect(!cronError("*/5 * * * *"))
        #expect(!cronError("@weekly"))
        #expect(cronError("5/2 * * * *"))
        #expect(cronError("@reboot"))
    }
}
