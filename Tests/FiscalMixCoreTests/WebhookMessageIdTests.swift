import FiscalMixCore
import Foundation
import Testing

/// A delivery's `webhook-id` is `msg_` and its id's hex digits, lower case, without dashes.
@Suite struct WebhookMessageIdTests {
    @Test func theMessageIdSpellsTheDeliveryIdsDigits() {
        for id in [
            UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)),
            UUID(uuid: (255, 254, 1, 16, 0xAB, 0xCD, 9, 10, 11, 12, 13, 14, 15, 160, 7, 8)),
        ]
            + (0..<200).map({ _ in UUID() })
        {
            let expected = "msg_" + id.uuidString.lowercased().filter { $0 != "-" }
            #expect(WebhookDelivery.messageId(for: id) == expected)
        }
    }
}
