import Foundation
public import HTTPTypes
public import NIOCore
public import NIOHTTP1
public import NIOHTTPTypes

/// Answers a request the HTTP parser refused (a header past the size limit, a malformed request
/// line) with a problem+json document and closes the connection; left alone, the client would
/// get a bare 400 with no body. Sits after the HTTP codec, so it sees requests as HTTPTypes
/// parts; a parse error in the middle of a response in flight is passed on untouched.
public final class HTTPParseErrorResponder: ChannelDuplexHandler, RemovableChannelHandler {
    public typealias InboundIn = HTTPRequestPart
    public typealias InboundOut = HTTPRequestPart
    public typealias OutboundIn = HTTPResponsePart
    public typealias OutboundOut = HTTPResponsePart

    private var requestsRead = 0

    private var responsesEnded = 0

    public init() {}

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .head = unwrapInboundIn(data) { requestsRead += 1 }
        context.fireChannelRead(data)
    }

    public func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) { responsesEnded += 1 }
        context.write(data, promise: promise)
    }

    public func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard let parseError = error as? HTTPParserError, requestsRead == responsesEnded else {
            context.fireErrorCaught(error)
            return
        }
        let (status, code, detail) = Self.problem(for: parseError)
        let body = Data(
            """
            {"code":"\(code)","detail":"\(detail)","status":\(status.code),"title":"\(status.reasonPhrase)",\
            "type":"https://fiscalmix.dev/problems/\(code)"}
            """.utf8)
        var headers = HTTPFields()
        headers[.contentType] = "application/problem+json"
        headers[.contentLength] = String(body.count)
        headers[.connection] = "close"
        responsesEnded = requestsRead + 1
        context.write(wrapOutboundOut(.head(HTTPResponse(status: status, headerFields: headers))), promise: nil)
        context.write(wrapOutboundOut(.body(context.channel.allocator.buffer(bytes: body))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in context.close(promise: nil) }
    }

    package static func problem(for error: HTTPParserError) -> (HTTPResponse.Status, String, String) {
        switch error {
        case .headerOverflow:
            (.requestHeaderFieldsTooLarge, "headers_too_large", "The request's headers are larger than this server accepts (80 KiB).")
        default:
            (.badRequest, "malformed_request", "The request is not valid HTTP/1.1.")
        }
    }
}
