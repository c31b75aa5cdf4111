public import Foundation

/// A 5-field cron expression (`minute hour day-of-month month day-of-week`), with lists (`1,15`),
/// ranges (`1-5`), steps (`*/10`, `0-30/5`), month and day names (`JAN`, `MON`), `7` for Sunday,
/// and the macros `@yearly`, `@monthly`, `@weekly`, `@daily`, `@hourly`. As in Vixie cron, when
/// both day fields are restricted a day matches if either does.
public struct CronExpression: Sendable, Equatable, CustomStringConvertible {
    public let source: String
    let minutes: Set<Int>, hours: Set<Int>, days: Set<Int>, months: Set<Int>, weekdays: Set<Int>
    let dayRestricted: Bool, weekdayRestricted: Bool

    public var description: String { source }

    public init(_ text: String) throws(FiscalMixError) {
        source = text
        var expression = text.trimmingWhitespace()
        let macros = [
            "@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *", "@monthly": "0 0 1 * *", "@weekly": "0 0 * * 0",
            "@daily": "0 0 * * *", "@midnight": "0 0 * * *", "@hourly": "0 * * * *",
        ]
        if let expanded = macros[expression.lowercased()] { expression = expanded }
        let fields = expression.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        guard fields.count == 5 else { throw Self.invalid("a cron expression has 5 fields: minute hour day month weekday") }
        minutes = try Self.parse(fields[0], 0...59, names: [:])
        hours = try Self.parse(fields[1], 0...23, names: [:])
        days = try Self.parse(fields[2], 1...31, names: [:])
        months = try Self.parse(
            fields[3], 1...12,
            names: [
                "JAN": 1, "FEB": 2, "MAR": 3, "APR": 4, "MAY": 5, "JUN": 6, "JUL": 7,
                "AUG": 8, "SEP": 9, "OCT": 10, "NOV": 11, "DEC": 12,
            ])
        let weekdayValues = try Self.parse(fields[4], 0...7, names: ["SUN": 0, "MON": 1, "TUE": 2, "WED": 3, "THU": 4, "FRI": 5, "SAT": 6])
        weekdays = Set(weekdayValues.map { $0 % 7 })
        dayRestricted = fields[2] != "*" && fields[2] != "?"
        weekdayRestricted = fields[4] != "*" && fields[4] != "?"
        // "30 2" (February 30th) would never fire: refused here rather than searched for.
        if dayRestricted, !weekdayRestricted, !months.contains(where: { month in days.contains { $0 <= Self.longestMonth[month - 1] } }) {
            throw Self.invalid("no month it names has the day it names")
        }
    }

    /// The most days each month can have (February in a leap year).
    static let longestMonth = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]

    static func invalid(_ why: String) -> FiscalMixError {
        FiscalMixError(.unprocessable, .invalidCron, "Invalid cron expression: \(why).", details: ["field": "cron"])
    }

    static func parse(_ field: String, _ range: ClosedRange<Int>, names: [String: Int]) throws(FiscalMixError) -> Set<Int> {
        var values = Set<Int>()
        for part in field.split(separator: ",", omittingEmptySubsequences: false) {
            let stepParts = part.split(separator: "/", omittingEmptySubsequences: false)
            guard stepParts.count <= 2 else { throw invalid("'\(part)' has more than one '/'") }
            var step = 1
            if stepParts.count == 2 {
                guard let s = Int(stepParts[1]), s > 0 else { throw invalid("bad step in '\(part)'") }
                step = s
            }
            let base = String(stepParts[0])
            func value(_ text: Substring) throws(FiscalMixError) -> Int {
                if let n = Int(text), range.contains(n) { return n }
                if let n = names[text.uppercased()] { return n }
                throw invalid("'\(text)' is outside \(range.lowerBound)-\(range.upperBound)")
            }
            var low = range.lowerBound, high = range.upperBound
            if base == "*" || base == "?" {
                // whole range
            } else if base.contains("-") {
                let bounds = base.split(separator: "-", omittingEmptySubsequences: false)
                guard bounds.count == 2 else { throw invalid("bad range '\(base)'") }
                low = try value(bounds[0])
                high = try value(bounds[1])
                guard low <= high else { throw invalid("range '\(base)' runs backwards") }
            } else {
                low = try value(Substring(base))
                high = stepParts.count == 2 ? range.upperBound : low
            }
            values.formUnion(stride(from: low, through: high, by: step))
        }
        return values
    }

    /// The first time strictly after `date` that matches, in `timeZone`. Matching is on wall-clock
    /// time, so a time skipped by a daylight-saving jump does not fire that day.
    public func next(after date: Date, in timeZone: TimeZone) -> Date? {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        // Start at the next whole minute (zone offsets are whole minutes).
        var candidate = Date(timeIntervalSince1970: ((date.timeIntervalSince1970 / 60).rounded(.down) + 1) * 60)
        // Five years ahead is the horizon (a February 29th on a Monday can be further; such an
        // expression answers nil): bounded by time, not by steps, so no expression searches long.
        let horizon = candidate.addingTimeInterval(5 * 366 * 86_400)
        while candidate <= horizon {
            let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .weekday], from: candidate)
            guard let month = c.month, let day = c.day, let hour = c.hour, let minute = c.minute, let weekday = c.weekday else { return nil }
            if !months.contains(month) {
                candidate =
                    calendar.nextDate(after: candidate, matching: DateComponents(day: 1, hour: 0, minute: 0), matchingPolicy: .nextTime)
                    ?? candidate.addingTimeInterval(86_400)
                continue
            }
            if !dayMatches(day: day, weekday: weekday - 1) {
                candidate =
                    calendar.nextDate(after: candidate, matching: DateComponents(hour: 0, minute: 0), matchingPolicy: .nextTime)
                    ?? candidate.addingTimeInterval(3600)
                continue
            }
            if !hours.contains(hour) {
                candidate =
                    calendar.nextDate(after: candidate, matching: DateComponents(minute: 0), matchingPolicy: .nextTime)
                    ?? candidate.addingTimeInterval(60)
                continue
            }
            if minutes.contains(minute) { return candidate }
            candidate = candidate.addingTimeInterval(60)
        }
        return nil
    }

    func dayMatches(day: Int, weekday: Int) -> Bool {
        switch (dayRestricted, weekdayRestricted) {
        case (true, true): return days.contains(day) || weekdays.contains(weekday)
        case (true, false): return days.contains(day)
        case (false, true): return weekdays.contains(weekday)
        case (false, false): return true
        }
    }
}
