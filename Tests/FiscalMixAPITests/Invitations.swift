import Foundation
import HTTPTypes

/// Adds users to an account the way people do: an invite, then its acceptance.
enum Invitations {
    struct Member {
        let id: String
        let email: String
        let password: String
    }

    static func addMember(_ server: TestServer, ownerSession: String, role: String) async throws -> Member {
        let email = "\(role)-\(UUID().uuidString.prefix(8).lowercased())@example.com"
        let invite = try await server.request(.post, "/v1/invites", json: ["email": email, "role": role], auth: .cookie(ownerSession))
        guard invite.status == 201, let token = invite.json["token"] as? String else {
            throw TestFailure("invite failed: \(invite.status) \(invite.text)")
        }
        let password = "member password \(UUID().uuidString.prefix(6))"
        let accepted = try await server.request(.post, "/v1/invites/accept", json: ["token": token, "name": "Member", "password": password])
        guard accepted.status == 201, let id = accepted.json["id"] as? String else {
            throw TestFailure("accept failed: \(accepted.status) \(accepted.text)")
        }
        return Member(id: id, email: email, password: password)
    }
}
