import FiscalMixDFe
import Testing

@Suite struct GunzipTests {
    @Test func roundTrips() throws {
        let text = Array(String(repeating: "<resNFe>NF-e ação</resNFe>", count: 500).utf8)
        #expect(try Gunzip.inflate(Gunzip.deflate(text), limit: 1 << 20) == text)
    }

    /// 64 MiB of zeros compress to about 64 KiB; the bound stops the expansion at 1 MiB.
    @Test func refusesABomb() throws {
        let bomb = Gunzip.deflate([UInt8](repeating: 0, count: 64 << 20), level: 9)
        #expect(bomb.count < 100_000)
        #expect { try Gunzip.inflate(bomb, limit: 1 << 20) } throws: { ($0 as? DFeParseError)?.code == .tooLarge }
    }

    @Test func refusesGarbageAndTruncation() throws {
        #expect { try Gunzip.inflate(Array("not gzip at all, clearly".utf8), limit: 1024) } throws: { ($0 as? DFeParseError)?.code == .notGzip }
        let zipped = Gunzip.deflate(Array(String(repeating: "abc", count: 1000).utf8))
        #expect { try Gunzip.inflate(Array(zipped.dropLast(12)), limit: 1 << 20) } throws: { ($0 as? DFeParseError)?.code == .notGzip }
        var corrupt = zipped
        corrupt[14] ^= 0xFF
        #expect(throws: DFeParseError.self) { try Gunzip.inflate(corrupt, limit: 1 << 20) }
    }
}
