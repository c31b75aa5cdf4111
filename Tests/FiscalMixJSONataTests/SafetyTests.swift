import FiscalMixJSON
import FiscalMixTestSupport
import Foundation
import Testing

@testable import FiscalMixJSONata

/// A hostile expression cannot hang or exhaust a worker: every bound stops evaluation with a
/// clear error, and compile errors point at the position in the source.
@Suite struct JSONataSafetyTests {
    @Test func unboundedRecursionStopsAtTheDepthBound() throws {
        let expression = try JSONataExpression("($f := function($n) { $n + $f($n + 1) }; $f(0))")
        #expect {
            _ = try expression.evaluate(nil)
        } throws: { error in
            (error as? JSONataError)?.code == "U1001"
        }
    }

    @Test func deepRecursionOnASmallThreadStopsInsteadOfCrashing() async throws {
        // 512 KiB is the smallest stack a server thread has; the default limits must hold there.
        let expression = try JSONataExpression("($f := function($n) { $n = 0 ? 0 : 1 + $f($n - 1) }; $f(100000))")
        let code: String = await withCheckedContinuation { continuation in
            let thread = Thread {
                do {
                    _ = try expression.evaluate(nil, limits: .init(maxDepth: 1_000_000))
                    continuation.resume(returning: "no error")
                } catch {
                    continuation.resume(returning: (error as? JSONataError)?.code ?? "\(error)")
                }
            }
            thread.stackSize = 512 * 1024
            thread.start()
        }
        #expect(code == "U1001")
    }

    /// Parsing, the post-parse pass and the tree's release are all recursive: a deeply nested
    /// expression (or a long operator chain, which nests to the left) is refused with U1002 in
    /// debug and release builds alike, on the smallest thread stack a server runs on.
    @Test func deeplyNestedExpressionsAreRefusedOnASmallThread() async throws {
        let hostile = [
            String(repeating: "(", count: 3_000) + "1" + String(repeating: ")", count: 3_000),
            String(repeating: "[", count: 3_000) + "1" + String(repeating: "]", count: 3_000),
            String(repeating: "{'a':", count: 3_000) + "1" + String(repeating: "}", count: 3_000),
            String(repeating: "-", count: 20_000) + "1",
            String(repeating: "$f(", count: 3_000) + "1" + String(repeating: ")", count: 3_000),
            Array(repeating: "1", count: 30_000).joined(separator: "+"),
            Array(repeating: "a", count: 30_000).joined(separator: "."),
            Array(repeating: "true", count: 30_000).joined(separator: " and "),
            String(repeating: "function($x){", count: 2_000) + "1" + String(repeating: "}", count: 2_000),
        ]
        for source in hostile {
            let code: String = await withCheckedContinuation { continuation in
                let thread = Thread {
                    do {
                        _ = try JSONataExpression(source)
                        continuation.resume(returning: "compiled")
                    } catch {
                        continuation.resume(returning: (error as? JSONataError)?.code ?? "\(error)")
                    }
                }
                thread.stackSize = 512 * 1024
                thread.start()
            }
            #expect(code == "U1002", "\(source.prefix(40))…")
        }
        // What people write nests far less, and compiles and runs there.
        let nested = String(repeating: "(", count: 20) + "1 + 2" + String(repeating: ")", count: 20)
        #expect(try JSONataExpression(nested).evaluate(nil) == .int(3))
        // (A debug build's evaluator frames are large: it evaluates a chain of 20 within its stack
        // budget, a release build far more.)
        _ = try JSONataExpression(Array(repeating: "1", count: 100).joined(separator: "+"))
        #expect(try JSONataExpression(Array(repeating: "1", count: 20).joined(separator: "+")).evaluate(nil) == .int(20))
    }

    /// Regular expressions are at most 255 characters (Foundation leaks the copy of a longer one
    /// ICU refuses; found by the fuzzer).
    @Test func aLongRegularExpressionIsRefusedWithItsOwnCode() throws {
        #expect { try JSONataExpression("$match('aaa', /" + String(repeating: "a", count: 300) + "/)") } throws: {
            ($0 as? JSONataError)?.code == "U1003"
        }
        #expect(try JSONataExpression("$contains('abc', /" + String(repeating: "[a-c]", count: 3) + "/)").evaluate(nil) == .bool(true))
    }

    /// A closure bound to a variable of the frame it closes over is a reference cycle: without
    /// ending it, every evaluation of such an expression would keep its frames, and the input
    /// they bind, alive for the life of the worker.
    @Test func closuresBoundInTheirOwnFrameDoNotOutliveTheEvaluation() throws {
        weak var input: JObject?
        func evaluateOnce(_ source: String) throws -> JSON? {
            let document = JSONataDocument(try JSON(parsing: #"{"items": [1, 2, 3]}"#))
            input = document.value.objectValue
            return try JSONataExpression(source).evaluate(document)
        }
        #expect(try evaluateOnce("($f := function() { $count(items) }; $f())") == .int(3))
        #expect(input == nil, "a named lambda kept the input alive after the evaluation")
        #expect(try evaluateOnce("($f := function($a, $b) { $a & $b & $count(items) }; $g := $f(?, 'b'); $g('a'))") == .string("ab3"))
        #expect(input == nil, "a partial application kept the input alive after the evaluation")
    }

    @Test func tailRecursionRunsInConstantStack() throws {
        let expression = try JSONataExpression(
            "($count := function($n, $acc) { $n = 0 ? $acc : $count($n - 1, $acc + 1) }; $count(20000, 0))")
        #expect(try expression.evaluate(nil) == .int(20000))
    }

    /// This and `catastrophicBacktrackingStops` bound wall-clock time from above, so they run in
    /// the timed lane: beside the heavy tests on 2 cores a CI run once stretched one past 10 s.
    @Test func anInfiniteLoopStopsAtTheTimeout() async throws {
        try await TestLaneGate.shared.run(.timed) {
            let expression = try JSONataExpression("($loop := function() { $loop() }; $loop())")
            let started = Date()
            #expect {
                _ = try expression.evaluate(nil, limits: .init(timeout: .milliseconds(300)))
            } throws: { error in
                (error as? JSONataError)?.code == "U1001"
            }
            #expect(Date().timeIntervalSince(started) < 5)
        }
    }

    @Test func aStepBudgetBoundsWorkInsideOneCall() throws {
        let expression = try JSONataExpression("$sum([1..5000000].($ * 2))")
        #expect {
            _ = try expression.evaluate(nil, limits: .init(maxSteps: 100_000))
        } throws: { error in
            (error as? JSONataError)?.code == "U1001"
        }
    }

    @Test func catastrophicBacktrackingStops() async throws {
        try await TestLaneGate.shared.run(.timed) {
            let expression = try JSONataExpression("$contains($, /(a+)+b/)")
            let input = JSON.string(String(repeating: "a", count: 40) + "c")
            let started = Date()
            #expect {
                _ = try expression.evaluate(input, limits: .init(maxSteps: 2_000_000, timeout: .seconds(2)))
            } throws: { error in
                (error as? JSONataError)?.code == "U1001"
            }
            #expect(Date().timeIntervalSince(started) < 10)
        }
    }

    @Test func oversizedRangesAreRefused() throws {
        let expression = try JSONataExpression("[1..100000000]")
        #expect {
            _ = try expression.evaluate(nil)
        } throws: { error in
            (error as? JSONataError)?.code == "D2014"
        }
    }

    @Test func compileErrorsCarryTheirPosition() {
        do {
            _ = try JSONataExpression("Account.Order[0].(Price * ")
            Issue.record("expected a syntax error")
        } catch {
            #expect(error.code == "S0207")
            #expect(error.position == 26)
        }
        do {
            _ = try JSONataExpression("{\"a\": 1 \"b\": 2}")
            Issue.record("expected a syntax error")
        } catch {
            #expect(error.code == "S0202")
            #expect(error.position == 8)  // where the unexpected "b" starts (UTF-16 offset)
            #expect(error.message.contains("Expected"))
        }
    }

    @Test func amountsSurviveARoundTrip() throws {
        // fiscal amounts keep their decimal form through evaluation
        let expression = try JSONataExpression("{ 'total': vNF, 'sum': $sum(items.price) }")
        let input = try JSON(parsing: Array(#"{"vNF": 1234.56, "items": [{"price": 0.1}, {"price": 0.2}]}"#.utf8))
        let result = try #require(try expression.evaluate(input))
        #expect(result["total"] == .double(1234.56))
        #expect(result["total"]?.serialized() == "1234.56")
        #expect(result["sum"] == .double(0.30000000000000004))
    }

    @Test func bindingsAreVariables() throws {
        let expression = try JSONataExpression("$rate * amount")
        #expect(try expression.evaluate(.object(JSONObject([("amount", .int(200))])), bindings: ["rate": .double(0.5)]) == .int(100))
    }
}
