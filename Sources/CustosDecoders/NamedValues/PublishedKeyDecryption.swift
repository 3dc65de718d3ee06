// Decryption of values that vendors "encrypt" with a key every copy of their software ships,
// so anyone holding the export holds the password: Cisco type 7, Junos `$9$`, VNC (DES with a
// fixed key), Group Policy Preferences `cpassword` (AES-256, key published in MS-GPPREF),
// TeamViewer `…PasswordAES` registry values (AES-128 with a published key and IV), older
// FortiOS `ENC` values (AES-128, published key) and WebSphere `{xor}`. Each decryptor returns
// nil for input that is not of its shape; none traps on any input.
//
// DES is implemented here (decryption of one 8-byte block, straight from FIPS 46-3's tables):
// swift-crypto has no DES, the block is only ever 8 bytes, and speed does not matter for the
// handful of VNC values a scan meets. AES comes from swift-crypto's `_CryptoExtras`.

import Crypto
import _CryptoExtras
import Foundation

/// The schemes whose keys are public.
public enum PublishedKeyScheme: String, Sendable, Hashable {
    case ciscoType7, junos9, vnc, groupPolicyPreferences, teamViewer, fortiOS, websphereXor, winSCP
}

public enum PublishedKeyDecryption {
    // MARK: Cisco type 7

    private static let ciscoKey: [UInt8] = Array("dsfd;kfoA,.iyewrkldJKDHSUBsgvca69834ncxv9873254k;fg87".utf8)

    /// `password 7 0822455D0A16`: two decimal digits of offset into a published key, then hex
    /// bytes each XORed with the key.
    public static func ciscoType7(_ value: [UInt8]) -> [UInt8]? {
        guard value.count >= 4, value.count % 2 == 0, value.count <= 512,
              ASCII.isDigit(value[0]), ASCII.isDigit(value[1]) else { return nil }
        let seed = Int(value[0] - 0x30) * 10 + Int(value[1] - 0x30)
        guard seed < ciscoKey.count else { return nil }
        var plain: [UInt8] = []
        var index = 2
        while index + 1 < value.count {
            guard let high = ASCII.hexValue(value[index]), let low = ASCII.hexValue(value[index + 1]) else { return nil }
            plain.append((high << 4 | low) ^ ciscoKey[(seed + plain.count) % ciscoKey.count])
            index += 2
        }
        return plain
    }

    // MARK: Junos $9$

    private static let junosFamilies = ["QzF3n6/9CAtpu0O", "B1IREhcSyrleKvMW8LXx", "7N-dVbwsY2g4oaJZGUDj", "iHkq.mPf5T"]
    private static let junosAlphabet: [UInt8] = Array(junosFamilies.joined().utf8)
    private static let junosPosition: [Int8] = {
        var table = [Int8](repeating: -1, count: 256)
        for (index, byte) in junosAlphabet.enumerated() { table[Int(byte)] = Int8(index) }
        return table
    }()
    private static let junosExtra: [Int8] = {
        var table = [Int8](repeating: -1, count: 256)
        for (family, letters) in junosFamilies.enumerated() {
            for byte in letters.utf8 { table[Int(byte)] = Int8(3 - family) }
        }
        return table
    }()
    private static let junosEncoding: [[Int]] = [[1, 4, 32], [1, 16, 32], [1, 8, 32], [1, 64], [1, 32], [1, 4, 16, 128], [1, 32, 64]]

    /// Junos `$9$…` secrets: a salt letter, filler, then each byte as gaps between letters of a
    /// published 65-letter alphabet, weighted by a published table (Crypt::Juniper).
    public static func junos9(_ value: [UInt8]) -> [UInt8]? {
        guard value.count > 5, value.count <= 4096, value[0] == ASCII.dollar, value[1] == 0x39, value[2] == ASCII.dollar else { return nil }
        let letters = Array(value[3...])
        guard letters.allSatisfy({ junosPosition[Int($0)] >= 0 }) else { return nil }
        let first = letters[0]
        var index = 1 + Int(junosExtra[Int(first)])
        guard index <= letters.count else { return nil }
        var previous = first
        var plain: [UInt8] = []
        while index < letters.count {
            let weights = junosEncoding[plain.count % junosEncoding.count]
            guard index + weights.count <= letters.count else { return nil }
            var number = 0
            for (offset, weight) in weights.enumerated() {
                let letter = letters[index + offset]
                let gap = (Int(junosPosition[Int(letter)]) - Int(junosPosition[Int(previous)]) + junosAlphabet.count) % junosAlphabet.count - 1
                previous = letter
                number += gap * weight
            }
            plain.append(UInt8(truncatingIfNeeded: number))
            index += weights.count
        }
        return plain.isEmpty ? nil : plain
    }

    // MARK: VNC

    private static let vncKey: UInt64 = 0xe84a_d660_c472_1ae0

    /// A VNC password: the first 8 bytes DES-decrypted with the fixed key, up to the first NUL.
    /// UltraVNC writes two more hex digits after the 16 (a checksum), ignored here.
    public static func vnc(_ encrypted: [UInt8]) -> [UInt8]? {
        guard encrypted.count >= 8, encrypted.count <= 9 else { return nil }
        var block: UInt64 = 0
        for byte in encrypted.prefix(8) { block = block << 8 | UInt64(byte) }
        let plain = DES.decrypt(block: block, key: vncKey)
        var bytes: [UInt8] = []
        for shift in stride(from: 56, through: 0, by: -8) {
            let byte = UInt8(truncatingIfNeeded: plain >> UInt64(shift))
            if byte == 0 { break }
            bytes.append(byte)
        }
        return bytes
    }

    // MARK: AES schemes

    /// MS-GPPREF 2.2.1.1.4: AES-256-CBC, zero IV, a key Microsoft published; base64 without
    /// padding, the plaintext UTF-16LE.
    private static let gppKey: [UInt8] = hexBytes("4e9906e8fcb66cc9faf49310620ffee8f496e806cc057990209b09a433b66c1b")

    public static func groupPolicyPreferences(_ value: [UInt8]) -> [UInt8]? {
        guard let data = base64(value), data.count >= 16, data.count % 16 == 0 else { return nil }
        guard let plain = aesCBC(data, key: gppKey, iv: [UInt8](repeating: 0, count: 16), padded: true) else { return nil }
        return utf16LittleEndian(plain)
    }

    private static let teamViewerKey: [UInt8] = hexBytes("0602000000a400005253413100040000")
    private static let teamViewerIV: [UInt8] = hexBytes("0100010067244f436e6762f25ea8d704")

    /// TeamViewer `OptionsPasswordAES` and relatives: AES-128-CBC with a key and IV found in
    /// every TeamViewer binary (CVE-2019-18988); the plaintext UTF-16LE, NUL-terminated.
    public static func teamViewer(_ encrypted: [UInt8]) -> [UInt8]? {
        guard encrypted.count >= 16, encrypted.count % 16 == 0, encrypted.count <= 4096 else { return nil }
        guard let plain = aesCBC(encrypted, key: teamViewerKey, iv: teamViewerIV, padded: false) else { return nil }
        return utf16LittleEndian(plain)
    }

    private static let fortiOSKey: [UInt8] = Array("Mary had a littl".utf8)

    /// Older FortiOS `ENC` values (CVE-2019-6693): base64 of a 4-byte IV and AES-128-CBC data
    /// under a key in every firmware image; the plaintext NUL-padded.
    public static func fortiOS(_ value: [UInt8]) -> [UInt8]? {
        guard let data = base64(value), data.count >= 20, (data.count - 4) % 16 == 0 else { return nil }
        let iv = Array(data.prefix(4)) + [UInt8](repeating: 0, count: 12)
        guard let plain = aesCBC(Array(data.dropFirst(4)), key: fortiOSKey, iv: iv, padded: false) else { return nil }
        return Array(plain.prefix { $0 != 0 })
    }

    /// WebSphere `{xor}`: base64 of the password XORed with `_`.
    public static func websphereXor(_ value: [UInt8]) -> [UInt8]? {
        guard value.hasPrefix(ignoringCase: "{xor}"), let data = base64(Array(value.dropFirst(5))) else { return nil }
        return data.map { $0 ^ 0x5f }
    }

    // MARK: Helpers

    private static func aesCBC(_ data: [UInt8], key: [UInt8], iv: [UInt8], padded: Bool) -> [UInt8]? {
        guard let vector = try? AES._CBC.IV(ivBytes: iv),
              let plain = try? AES._CBC.decrypt(data, using: SymmetricKey(data: key), iv: vector, noPadding: !padded) else {
            return nil
        }
        return Array(plain)
    }

    static func base64(_ value: [UInt8]) -> [UInt8]? {
        guard !value.isEmpty, value.count <= 1 << 20 else { return nil }
        var text = String(decoding: value, as: UTF8.self)
        text = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while text.utf8.count % 4 != 0 { text += "=" }
        return Data(base64Encoded: text).map(Array.init)
    }

    static func hexBytes(_ text: String) -> [UInt8] {
        var bytes: [UInt8] = []
        var high: UInt8?
        for byte in text.utf8 {
            guard let digit = ASCII.hexValue(byte) else { continue }
            if let h = high { bytes.append(h << 4 | digit); high = nil } else { high = digit }
        }
        return bytes
    }

    /// UTF-16LE bytes as UTF-8, up to the first NUL; nil when the bytes are not text.
    static func utf16LittleEndian(_ bytes: [UInt8]) -> [UInt8]? {
        var units: [UInt16] = []
        var index = 0
        while index + 1 < bytes.count {
            let unit = UInt16(bytes[index]) | UInt16(bytes[index + 1]) << 8
            if unit == 0 { break }
            units.append(unit)
            index += 2
        }
        let text = String(decoding: units, as: UTF16.self)
        guard !text.unicodeScalars.contains(where: { $0.value == 0xfffd || ($0.value < 0x20 && $0.value != 0x09) }) else { return nil }
        return Array(text.utf8)
    }
}

/// DES (FIPS 46-3), decryption of one block, for the VNC key only.
enum DES {
    private static let initialPermutation: [UInt8] = [
        58, 50, 42, 34, 26, 18, 10, 2, 60, 52, 44, 36, 28, 20, 12, 4, 62, 54, 46, 38, 30, 22, 14, 6, 64, 56, 48, 40, 32, 24, 16, 8,
        57, 49, 41, 33, 25, 17, 9, 1, 59, 51, 43, 35, 27, 19, 11, 3, 61, 53, 45, 37, 29, 21, 13, 5, 63, 55, 47, 39, 31, 23, 15, 7]
    private static let finalPermutation: [UInt8] = [
        40, 8, 48, 16, 56, 24, 64, 32, 39, 7, 47, 15, 55, 23, 63, 31, 38, 6, 46, 14, 54, 22, 62, 30, 37, 5, 45, 13, 53, 21, 61, 29,
        36, 4, 44, 12, 52, 20, 60, 28, 35, 3, 43, 11, 51, 19, 59, 27, 34, 2, 42, 10, 50, 18, 58, 26, 33, 1, 41, 9, 49, 17, 57, 25]
    private static let expansion: [UInt8] = [
        32, 1, 2, 3, 4, 5, 4, 5, 6, 7, 8, 9, 8, 9, 10, 11, 12, 13, 12, 13, 14, 15, 16, 17,
        16, 17, 18, 19, 20, 21, 20, 21, 22, 23, 24, 25, 24, 25, 26, 27, 28, 29, 28, 29, 30, 31, 32, 1]
    private static let permutation: [UInt8] = [
        16, 7, 20, 21, 29, 12, 28, 17, 1, 15, 23, 26, 5, 18, 31, 10, 2, 8, 24, 14, 32, 27, 3, 9, 19, 13, 30, 6, 22, 11, 4, 25]
    private static let choice1: [UInt8] = [
        57, 49, 41, 33, 25, 17, 9, 1, 58, 50, 42, 34, 26, 18, 10, 2, 59, 51, 43, 35, 27, 19, 11, 3, 60, 52, 44, 36,
        63, 55, 47, 39, 31, 23, 15, 7, 62, 54, 46, 38, 30, 22, 14, 6, 61, 53, 45, 37, 29, 21, 13, 5, 28, 20, 12, 4]
    private static let choice2: [UInt8] = [
        14, 17, 11, 24, 1, 5, 3, 28, 15, 6, 21, 10, 23, 19, 12, 4, 26, 8, 16, 7, 27, 20, 13, 2,
        41, 52, 31, 37, 47, 55, 30, 40, 51, 45, 33, 48, 44, 49, 39, 56, 34, 53, 46, 42, 50, 36, 29, 32]
    private static let shifts: [Int] = [1, 1, 2, 2, 2, 2, 2, 2, 1, 2, 2, 2, 2, 2, 2, 1]
    private static let boxes: [[UInt8]] = [
        [14, 4, 13, 1, 2, 15, 11, 8, 3, 10, 6, 12, 5, 9, 0, 7, 0, 15, 7, 4, 14, 2, 13, 1, 10, 6, 12, 11, 9, 5, 3, 8,
         4, 1, 14, 8, 13, 6, 2, 11, 15, 12, 9, 7, 3, 10, 5, 0, 15, 12, 8, 2, 4, 9, 1, 7, 5, 11, 3, 14, 10, 0, 6, 13],
        [15, 1, 8, 14, 6, 11, 3, 4, 9, 7, 2, 13, 12, 0, 5, 10, 3, 13, 4, 7, 15, 2, 8, 14, 12, 0, 1, 10, 6, 9, 11, 5,
         0, 14, 7, 11, 10, 4, 13, 1, 5, 8, 12, 6, 9, 3, 2, 15, 13, 8, 10, 1, 3, 15, 4, 2, 11, 6, 7, 12, 0, 5, 14, 9],
        [10, 0, 9, 14, 6, 3, 15, 5, 1, 13, 12, 7, 11, 4, 2, 8, 13, 7, 0, 9, 3, 4, 6, 10, 2, 8, 5, 14, 12, 11, 15, 1,
         13, 6, 4, 9, 8, 15, 3, 0, 11, 1, 2, 12, 5, 10, 14, 7, 1, 10, 13, 0, 6, 9, 8, 7, 4, 15, 14, 3, 11, 5, 2, 12],
        [7, 13, 14, 3, 0, 6, 9, 10, 1, 2, 8, 5, 11, 12, 4, 15, 13, 8, 11, 5, 6, 15, 0, 3, 4, 7, 2, 12, 1, 10, 14, 9,
         10, 6, 9, 0, 12, 11, 7, 13, 15, 1, 3, 14, 5, 2, 8, 4, 3, 15, 0, 6, 10, 1, 13, 8, 9, 4, 5, 11, 12, 7, 2, 14],
        [2, 12, 4, 1, 7, 10, 11, 6, 8, 5, 3, 15, 13, 0, 14, 9, 14, 11, 2, 12, 4, 7, 13, 1, 5, 0, 15, 10, 3, 9, 8, 6,
         4, 2, 1, 11, 10, 13, 7, 8, 15, 9, 12, 5, 6, 3, 0, 14, 11, 8, 12, 7, 1, 14, 2, 13, 6, 15, 0, 9, 10, 4, 5, 3],
        [12, 1, 10, 15, 9, 2, 6, 8, 0, 13, 3, 4, 14, 7, 5, 11, 10, 15, 4, 2, 7, 12, 9, 5, 6, 1, 13, 14, 0, 11, 3, 8,
         9, 14, 15, 5, 2, 8, 12, 3, 7, 0, 4, 10, 1, 13, 11, 6, 4, 3, 2, 12, 9, 5, 15, 10, 11, 14, 1, 7, 6, 0, 8, 13],
        [4, 11, 2, 14, 15, 0, 8, 13, 3, 12, 9, 7, 5, 10, 6, 1, 13, 0, 11, 7, 4, 9, 1, 10, 14, 3, 5, 12, 2, 15, 8, 6,
         1, 4, 11, 13, 12, 3, 7, 14, 10, 15, 6, 8, 0, 5, 9, 2, 6, 11, 13, 8, 1, 4, 10, 7, 9, 5, 0, 15, 14, 2, 3, 12],
        [13, 2, 8, 4, 6, 15, 11, 1, 10, 9, 3, 14, 5, 0, 12, 7, 1, 15, 13, 8, 10, 3, 7, 4, 12, 5, 6, 11, 0, 14, 9, 2,
         7, 11, 4, 1, 9, 12, 14, 2, 0, 6, 10, 13, 15, 3, 5, 8, 2, 1, 14, 7, 4, 10, 8, 13, 15, 12, 9, 0, 3, 5, 6, 11],
    ]

    /// `table` applied to the `width` low bits of `input` (bit 1 the most significant).
    private static func permute(_ input: UInt64, width: Int, _ table: [UInt8]) -> UInt64 {
        var output: UInt64 = 0
        for position in table {
            output = output << 1 | (input >> UInt64(width - Int(position))) & 1
        }
        return output
    }

    private static func subkeys(_ key: UInt64) -> [UInt64] {
        let permuted = permute(key, width: 64, choice1)
        var left = permuted >> 28 & 0xfff_ffff
        var right = permuted & 0xfff_ffff
        var keys: [UInt64] = []
        for shift in shifts {
            left = (left << UInt64(shift) | left >> UInt64(28 - shift)) & 0xfff_ffff
            right = (right << UInt64(shift) | right >> UInt64(28 - shift)) & 0xfff_ffff
            keys.append(permute(left << 28 | right, width: 56, choice2))
        }
        return keys
    }

    private static func feistel(_ half: UInt64, _ subkey: UInt64) -> UInt64 {
        let mixed = permute(half, width: 32, expansion) ^ subkey
        var output: UInt64 = 0
        for box in 0..<8 {
            let six = Int(mixed >> UInt64(42 - 6 * box) & 0x3f)
            let row = (six >> 4 & 2) | (six & 1)
            let column = six >> 1 & 0xf
            output = output << 4 | UInt64(boxes[box][row * 16 + column])
        }
        return permute(output, width: 32, permutation)
    }

    static func decrypt(block: UInt64, key: UInt64) -> UInt64 {
        let keys = subkeys(key)
        let permuted = permute(block, width: 64, initialPermutation)
        var left = permuted >> 32
        var right = permuted & 0xffff_ffff
        for round in (0..<16).reversed() {
            (left, right) = (right, left ^ feistel(right, keys[round]))
        }
        return permute(right << 32 | left, width: 64, finalPermutation)
    }

    static func encrypt(block: UInt64, key: UInt64) -> UInt64 {
        let keys = subkeys(key)
        let permuted = permute(block, width: 64, initialPermutation)
        var left = permuted >> 32
        var right = permuted & 0xffff_ffff
        for round in 0..<16 {
            (left, right) = (right, left ^ feistel(right, keys[round]))
        }
        return permute(right << 32 | left, width: 64, finalPermutation)
    }
}

extension PublishedKeyDecryption {
    /// One DES block decrypted, for checking the implementation against published vectors.
    public static func desDecryptForTesting(block: UInt64, key: UInt64) -> UInt64 {
        DES.decrypt(block: block, key: key)
    }
}
