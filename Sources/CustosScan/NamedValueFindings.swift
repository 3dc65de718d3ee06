// Named values in the pipeline: after the rules have read a blob, the named-value scanner
// reads its display text as structure (what each value is called, where it sits; entities
// and escapes resolved by the extractors with exact positions) and its classifier judges
// every credential-named value. One precedence between the two readings:
// - a generic rule's finding over a value the classifier judged gives way to the judgement
//   (a masked, referenced, hashed or placeholder value is not reported; a credential is
//   reported once, under its named-value rule);
// - a specific rule's finding over the same bytes (a provider token format) stays, and names
//   the named-value rule in `alsoReportedBy`.
// Both readings are compared once located: byte offsets in the blob's own bytes.

import CustosCore
import CustosDecoders
import CustosEngine

extension BlobScanner {
    /// Adds the named-value findings of `frame`'s blob to the current blob, whose findings
    /// so far are located, applying the precedence above.
    func addNamedValues(of frame: TextFrame) {
        guard let named = namedValues else { return }
        let origin = frame.origin
        // Node-RED credentials files are read by their own decoder, which decrypts them.
        guard !NodeRedCredentials.isCredentialsFile(origin.fileName) else { return }
        var local = FindingSink()
        var judgedInDisplay: [Range<Int>] = []
        var readAsCode = false
        frame.withDisplay { text in
            guard !text.isEmpty else { return }
            readAsCode = CodeExtractor.claims(fileName: Substring(origin.display),
                                              prefix: UnsafeRawBufferPointer(rebasing: text[0..<min(text.count, 4096)]))
            let values = named.scanner.classify(in: text, fileName: Substring(origin.display))
            // Where the structure names a place (an XML element path, a JSON path, a PLC
            // block), findings carry it, as the rules' findings do; else the value's name path.
            var structuralPaths: [Int: String]?
            if values.contains(where: { $0.verdict.isFinding || $0.verdict.isHash }),
               let structure = LogicalPaths.structure(of: text, name: origin.display) {
                structuralPaths = LogicalPaths.paths(for: values.map(\.named.valueSpan.lowerBound), in: text, structure: structure)
            }
            for value in values {
                let span = value.named.valueSpan.clamped(to: 0..<text.count)
                judgedInDisplay.append(span)
                guard let rule = NamedValueRule.rule(for: value), named.enabled.contains(rule),
                      !scanner.allowCommentCovers(span, in: text) else { continue }
                local.append(Self.finding(for: value, rule: rule, span: span, in: text, origin: origin,
                                          logicalPath: structuralPaths?[span.lowerBound], located: false))
            }
        }
        let generic = genericRules
        // In source code the code reader knows what is a name, a string and an expression
        // (`'Test2::Event::Pass' => '1.302138'`, `*all_children_pass = *all_children`): a
        // generic rule's line-level guess gives way to it everywhere in the file.
        if readAsCode {
            results.sink.removeFromCurrentBlob { $0.origin == origin && generic.contains($0.ruleID) }
        }
        guard !judgedInDisplay.isEmpty else { return }
        frame.locate(&local.findings, range: local.findings.indices, offsetsIn: .display)
        // Judged spans compare with the rules' findings in the blob's own bytes.
        let judgedIndex = OverlapIndex(judgedInDisplay.map(frame.rawRange(ofDisplay:)))
        results.sink.removeFromCurrentBlob { finding in
            finding.origin == origin && generic.contains(finding.ruleID) && judgedIndex.overlaps(finding.byteStart..<finding.byteEnd)
        }
        let specific = results.sink.currentBlob.filter { results.sink.findings[$0].origin == origin }
        for finding in local.findings {
            let span = finding.byteStart..<max(finding.byteEnd, finding.byteStart + 1)
            if let index = specific.first(where: { results.sink.findings[$0].byteStart < span.upperBound
                                                    && span.lowerBound < max(results.sink.findings[$0].byteEnd, results.sink.findings[$0].byteStart + 1) }) {
                if !results.sink.findings[index].alsoReportedBy.contains(finding.ruleID) {
                    results.sink.findings[index].alsoReportedBy.append(finding.ruleID)
                }
                continue
            }
            results.sink.append(finding)
        }
    }

    /// The finding for a reported value at `span` of `text`. `located` gives its line and
    /// column (a frame places many findings in one walk instead); `logicalPath` is the
    /// structure's name for the place, else the value's name path.
    static func finding(for value: ClassifiedValue, rule: NamedValueRule, span: Range<Int>, in text: UnsafeRawBufferPointer,
                        origin: Origin, logicalPath: String?, located: Bool) -> Finding {
        let secret = reportedSecret(of: value, span: span, in: text)
        var finding = Finding(
            ruleID: rule.rawValue,
            location: Location(origin: origin, span: located ? TextFrame.span(of: span, in: text)
                : Span(byteStart: span.lowerBound, byteEnd: span.upperBound, start: TextPosition(line: 1, column: 1),
                       end: TextPosition(line: 1, column: 1))),
            secret: String(decoding: secret, as: UTF8.self),
            identity: value.named.identity.flatMap { $0.isEmpty ? nil : $0 },
            fingerprint: secret.withUnsafeBufferPointer { Fingerprint(ruleID: rule.rawValue, secret: $0) },
            snippet: Snippet.around(span, in: text))
        finding.logicalPath = logicalPath ?? (value.named.namePath.isEmpty ? nil : value.named.namePath)
        let confidence = NamedValueRule.confidence(for: value)
        if confidence != rule.info.confidence { finding.confidenceOverride = confidence }
        return finding
    }

    /// The secret a finding reports: the plaintext a person types where a published key
    /// undid the encryption, the value as decoded where it is text, and otherwise (key bytes,
    /// binary) the value as written in the file.
    static func reportedSecret(of value: ClassifiedValue, span: Range<Int>, in text: UnsafeRawBufferPointer) -> [UInt8] {
        if case .publishedKeyEncryption(_, let decrypted?) = value.verdict, isText(decrypted),
           decrypted.allSatisfy({ $0 >= 0x20 && $0 < 0x7f }) {
            // Passwords these tools store are typed on a keyboard: anything else is a wrong key.
            return decrypted
        }
        switch value.named.encoding {
        case .byteArray, .hexBytes, .utf16Bytes: return Array(text[span])
        default: return isText(value.named.value) ? value.named.value : Array(text[span])
        }
    }

    /// Valid UTF-8 without control characters (tabs aside).
    static func isText(_ bytes: [UInt8]) -> Bool {
        guard !bytes.isEmpty, !bytes.contains(where: { $0 < 0x20 && $0 != 0x09 || $0 == 0x7f }) else { return false }
        return String(validating: bytes, as: UTF8.self) != nil
    }
}
