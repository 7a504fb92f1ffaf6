import NIOHPACK
import Testing

@testable import DataPlane

/// Which response fields the HTTP/2 encoder may enter into a connection's dynamic table.
@Suite struct ResponseFieldIndexingTests {
    private static func isIndexed(_ name: String) -> Bool {
        if case .indexable = HTTP2ServerStream.responseFieldIndexing(name) { return true }
        return false
    }

    @Test(
        "fields whose values repeat, date among them, are indexed",
        arguments: [
            "server", "content-type", "date", "vary", "accept-ranges", "cache-control", "content-encoding",
            "x-frame-options", "x-content-type-options", "strict-transport-security",
        ])
    func indexed(name: String) {
        #expect(Self.isIndexed(name))
    }

    @Test(
        "lengths, validators, cookies and other fields stay out of the table",
        arguments: [
            "content-length", "etag", "last-modified", "set-cookie", "location", "expires", "age", "x-request-id", "dates",
            "servers",
        ])
    func notIndexed(name: String) {
        #expect(!Self.isIndexed(name))
    }

    @Test("a status HPACK's static table holds is indexed, others are literals")
    func status() {
        for status in [200, 204, 206, 304, 400, 404, 500] {
            guard case .indexable = HTTP2ServerStream.statusIndexing(status) else {
                Issue.record("\(status) is not indexed")
                continue
            }
        }
        for status in [201, 302, 418, 503] {
            guard case .nonIndexable = HTTP2ServerStream.statusIndexing(status) else {
                Issue.record("\(status) is indexed")
                continue
            }
        }
    }
}
