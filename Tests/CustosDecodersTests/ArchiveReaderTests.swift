import CustosDecoders
import CustosTestSupport
import Foundation
import Testing

/// Every member of `archive` read whole (path → text), and the problems met.
func readMembers(_ archive: [UInt8], name: String = "test.zip", limits: DecodeBudget.Limits = .standard)
    -> (members: [String: String], order: [String], problems: [DecodeIssue]) {
    var members: [String: String] = [:]
    var order: [String] = []
    let budget = DecodeBudget(limits: limits, sourceBytes: archive.count)
    let problems = archive.withUnsafeBytes { raw in
        ArchiveReader.forEachMember(of: .bytes(raw), name: name, budget: budget) { header, reader in
            let bytes = try reader.readRest(limit: 64 << 20)
            members[header.path] = String(decoding: bytes, as: UTF8.self)
            order.append(header.path)
        }
    }
    return (members, order, problems)
}

/// Text that compresses like real text does (a few to one), the same for the same seed.
func plainText(_ count: Int, seed: UInt64 = 1) -> [UInt8] {
    let words = ["tag", "value", "line", "motor", "speed", "setpoint", "alarm", "=", "\n", "42", "0.5", "pump_", "station"]
    var state = seed
    var out: [UInt8] = []
    out.reserveCapacity(count + 16)
    while out.count < count {
        state = state &* 6364136223846793005 &+ 1442695040888963407
        let word = words[Int(state >> 33) % words.count]
        out += Array(word.utf8)
        out.append(UInt8(ascii: "a") + UInt8((state >> 20) % 26))
        if state % 7 == 0 { out.append(0x20) }
    }
    return Array(out.prefix(count))
}

@Suite("Archive reader")
struct ArchiveReaderTests {
    @Test("zip, tar, 7z and compressed tars are read member by member, in order")
    func formats() throws {
        let entries = [("cfg/app.env", "TOKEN=x\n"), ("readme.txt", "hi\n")]
        let formats: [ArchiveWriter.Format] = [.zip(.deflate), .zip(.store), .tar, .sevenZip,
                                               .compressedTar(.gzip), .compressedTar(.bzip2), .compressedTar(.xz), .compressedTar(.zstd)]
        for format in formats {
            let read = readMembers(try ArchiveWriter.archive(format, entries))
            #expect(read.order == ["cfg/app.env", "readme.txt"], "\(format)")
            #expect(read.members["cfg/app.env"] == "TOKEN=x\n", "\(format)")
            #expect(read.problems.isEmpty, "\(format): \(read.problems)")
        }
    }

    @Test("a compressed file is one member named after it; nested archives are named by their chain")
    func streamsAndNesting() throws {
        for compression in [ArchiveWriter.Compression.gzip, .bzip2, .xz, .zstd] {
            let read = readMembers(try ArchiveWriter.compressed(compression, Array("PASSWORD=p\n".utf8)), name: "app.log.gz")
            #expect(read.members == ["app.log": "PASSWORD=p\n"], "\(compression)")
        }
        let inner = try ArchiveWriter.archive(.zip(.deflate), [("cfg/app.env", "TOKEN=x\n")])
        let tarball = try ArchiveWriter.archive(.compressedTar(.gzip), [("etc/db.ini", "pw=y\n")])
        let gz = try ArchiveWriter.compressed(.gzip, Array("k=v\n".utf8))
        let outer = try ArchiveWriter.archive(.zip(.deflate), [("projects/inner.zip", inner), ("backup.tgz", tarball),
                                                               ("logs/run.log.gz", gz), ("readme.txt", Array("hi\n".utf8))])
        let read = readMembers(outer)
        #expect(Set(read.members.keys) == ["projects/inner.zip!/cfg/app.env", "backup.tgz!/etc/db.ini",
                                           "logs/run.log.gz!/logs/run.log", "readme.txt"])
        #expect(read.problems.isEmpty)
    }

    @Test("a bomb member stops at the ratio limit, a too-deep nesting and a broken archive are problems, and reading goes on")
    func hostileArchives() throws {
        let bomb = try ArchiveWriter.archive(.zip(.deflate), [("zeros.bin", [UInt8](repeating: 0, count: 20 << 20)), ("ok.txt", Array("fine\n".utf8))])
        let read = readMembers(bomb)
        #expect(read.members["ok.txt"] == "fine\n")
        #expect(read.problems.map(\.description).contains { $0.contains("zeros.bin: over the compression-ratio limit (200:1)") })

        var nested = try ArchiveWriter.archive(.zip(.deflate), [("leaf.txt", "x\n")])
        for level in 0..<5 { nested = try ArchiveWriter.archive(.zip(.deflate), [("level\(level).zip", nested)]) }
        let deep = readMembers(nested)
        #expect(deep.members.isEmpty)
        #expect(deep.problems.contains { $0.kind == .limitExceeded(.depth(4)) })

        let broken = readMembers(Array("PK\u{3}\u{4}garbage".utf8))
        #expect(broken.members.isEmpty)
        #expect(broken.problems.count == 1)
    }

    @Test("a compressed file of ordinary ratio is read whole, however much of it libarchive read ahead")
    func ordinaryRatioIsNoBomb() throws {
        // JSON as API descriptions are shipped (`service-2.json.gz`): a few MB at 10–40:1.
        var json = "{\"shapes\": {\n"
        for index in 0..<60_000 {
            json += "  \"Shape\(index)\": {\"type\": \"string\", \"documentation\": \"<p>Member \(index &* 7919 % 999_983)</p>\"},\n"
        }
        json += "  \"last\": \"password=Xk2#mLp9Qz\"\n}}\n"
        let gz = try ArchiveWriter.compressed(.gzip, Array(json.utf8))
        #expect(json.utf8.count > 3 << 20 && json.utf8.count / gz.count >= 5)
        let read = readMembers(gz, name: "service-2.json.gz")
        #expect(read.problems.isEmpty)
        #expect(read.members.values.first?.hasSuffix("password=Xk2#mLp9Qz\"\n}}\n") == true)
    }

    @Test("the member limit stops reading and says so")
    func memberLimit() throws {
        var limits = DecodeBudget.Limits()
        limits.maxMembers = 3
        let archive = try ArchiveWriter.archive(.zip(.deflate), (0..<6).map { ("f\($0).txt", "x\n") })
        let read = readMembers(archive, limits: limits)
        #expect(read.members.count == 3)
        #expect(read.problems.map(\.description) == ["over the member limit (3): the rest of the file was not read"])
    }

    @Test("issue 11: a genuine archive larger than the expansion floor is read whole; the allowance grows with the archive")
    func genuineLargeArchive() throws {
        var limits = DecodeBudget.Limits()
        limits.minimumExpandedBytes = 1 << 20
        limits.maxRatio = 20
        let members = (0..<8).map { ("part\($0).txt", plainText(512 << 10, seed: UInt64($0))) }
        let archive = try ArchiveWriter.archive(.zip(.deflate), members)
        let read = readMembers(archive, limits: limits)
        #expect(read.members.count == 8)
        #expect(read.problems.isEmpty)
    }

    @Test("issue 11: an encrypted member is a problem and the plain member after it is read")
    func encryptedThenPlain() throws {
        let plain = try ArchiveWriter.archive(.zip(.deflate), [("secret.txt", "hidden\n"), ("after.txt", "TOKEN=found\n")])
        // The encryption bit of the first member, in its local header and its directory entry.
        var patched = plain
        patched[6] |= 1
        let directory = try #require(findSignature([0x50, 0x4b, 0x01, 0x02], in: patched))
        patched[directory + 8] |= 1
        let read = readMembers(patched)
        #expect(read.members == ["after.txt": "TOKEN=found\n"])
        #expect(read.problems.map(\.description) == ["encrypted member secret.txt: not read"])

        let allEncrypted = try ArchiveWriter.archive(.zip(.deflate), [("a.txt", Array("x\n".utf8)), ("b.txt", Array("y\n".utf8))],
                                                     passphrase: "correct horse")
        let locked = readMembers(allEncrypted)
        #expect(locked.members.isEmpty)
        #expect(locked.problems.count == 2)
    }

    @Test("issue 11: a truncated zip without its end record still gives its complete members")
    func truncatedZip() throws {
        let members = (0..<4).map { ("m\($0).txt", plainText(40_000, seed: UInt64($0))) }
        let archive = try ArchiveWriter.archive(.zip(.deflate), members)
        let cut = Array(archive.prefix(archive.count * 3 / 5))
        let read = readMembers(cut)
        #expect(read.members.count >= 2)
        for (name, bytes) in members where read.members[name] != nil {
            #expect(read.members[name] == String(decoding: bytes, as: UTF8.self))
        }
        #expect(!read.problems.isEmpty)
    }

    @Test("issue 11: a zip whose central directory points past its end is read from its local headers")
    func directoryPastTheEnd() throws {
        let archive = try ArchiveWriter.archive(.zip(.deflate), [("a.txt", "TOKEN=a\n"), ("b.txt", "TOKEN=b\n")])
        var corrupted = archive
        let end = try #require(findSignature([0x50, 0x4b, 0x05, 0x06], in: corrupted))
        corrupted[end + 19] = 0x7f  // the directory's offset, now far past the end
        let read = readMembers(corrupted)
        #expect(read.members == ["a.txt": "TOKEN=a\n", "b.txt": "TOKEN=b\n"])
        // One changed byte anywhere never traps.
        for index in stride(from: 0, to: archive.count, by: 3) {
            var mutated = archive
            mutated[index] ^= 0x5a
            _ = readMembers(mutated)
        }
    }

    @Test("issue 11: a deflate stream running past the end of the file (146 bytes) ends with a problem")
    func deflatePastTheEnd() throws {
        // A dynamic-Huffman block header with no end: the stream wants more than the file has.
        let stream: [UInt8] = [0xec, 0xbd, 0x07, 0x60, 0x1c, 0x49, 0x96, 0x25, 0x26, 0x2f, 0x6d, 0xca]
            + [UInt8](repeating: 0x7b, count: 20)
        var zip = HostileZip()
        let offset = zip.addLocal("loop.txt", data: stream, method: 8, compressedSize: 4000, size: 1 << 30)
        zip.addDirectoryEntry("loop.txt", offset: offset, method: 8, compressedSize: 4000, size: 1 << 30)
        let bytes = zip.finished()
        #expect(bytes.count < 160)
        let read = readMembers(bytes)
        #expect(read.members.isEmpty)
        #expect(!read.problems.isEmpty)
    }

    @Test("issue 11: 20,000 directory entries sharing one failing stream cost one failure")
    func overlappingEntries() throws {
        var zip = HostileZip()
        let broken: [UInt8] = [0xff, 0xff, 0xff, 0xff] + [UInt8](repeating: 0xa5, count: 60)
        let offset = zip.addLocal("shared.txt", data: broken, method: 8, compressedSize: 64, size: 1 << 20)
        for index in 0..<20_000 {
            zip.addDirectoryEntry(String(format: "f%05d.txt", index), offset: offset, method: 8, compressedSize: 64, size: 1 << 20)
        }
        let bytes = zip.finished()
        #expect(bytes.count > 1_000_000)
        let read = readMembers(bytes)
        #expect(read.members.isEmpty)
        #expect(read.problems.map(\.description) == ["shared.txt: cannot be read (ZIP decompression failed (-3)); skipped"])
    }

    @Test("issue 11: failing members are charged: 20,000 of them stop at the expansion allowance")
    func failuresAreCharged() throws {
        var zip = HostileZip()
        let broken: [UInt8] = [0xff, 0xff, 0xff, 0xff] + [UInt8](repeating: 0xa5, count: 28)
        for index in 0..<20_000 {
            zip.addLocal(String(format: "f%05d.txt", index), data: broken, method: 8, size: 1 << 20)
        }
        let read = readMembers(zip.bytes)
        #expect(read.members.isEmpty)
        // At least 1 MB a failure against a 512 MB allowance: about 512 members are tried.
        #expect(read.problems.contains { $0.kind == .limitExceeded(.expandedBytes(512 << 20)) })
        #expect(read.problems.count <= 102)
        #expect(read.problems.last?.description.hasSuffix("more problems like those above") == true)
    }

    @Test("ZIP64 archives are read")
    func zip64() throws {
        let tree = try TemporaryTree()
        let path = tree.url("big.zip").path
        let made = try Command.run(["python3", "-c", """
            import sys, zipfile
            with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED) as z:
                with z.open("a.txt", "w", force_zip64=True) as f: f.write(b"TOKEN=sixty-four\\n")
                z.writestr("b.txt", "plain\\n")
            """, path])
        #expect(made.status == 0, "\(made.stderr)")
        let read = readMembers(Array(try Data(contentsOf: URL(fileURLWithPath: path))))
        #expect(read.members == ["a.txt": "TOKEN=sixty-four\n", "b.txt": "plain\n"])
    }

    @Test("a file descriptor source is read with pread, its own offset untouched")
    func fileDescriptor() throws {
        let tree = try TemporaryTree()
        try tree.write("a.tar.xz", Data(try ArchiveWriter.archive(.compressedTar(.xz), [("x/y.txt", "TOKEN=z\n")])))
        let descriptor = open(tree.url("a.tar.xz").path, O_RDONLY)
        defer { close(descriptor) }
        let budget = DecodeBudget(sourceBytes: 0)
        var names: [String] = []
        let problems = ArchiveReader.forEachMember(of: .fileDescriptor(descriptor), name: "a.tar.xz", budget: budget) { header, _ in
            names.append(header.path)
        }
        #expect(names == ["x/y.txt"])
        #expect(problems.isEmpty)
        #expect(lseek(descriptor, 0, SEEK_CUR) == 0)
    }

    private func findSignature(_ signature: [UInt8], in bytes: [UInt8]) -> Int? {
        guard bytes.count >= signature.count else { return nil }
        return (0...(bytes.count - signature.count)).last { Array(bytes[$0..<($0 + signature.count)]) == signature }
    }
}
