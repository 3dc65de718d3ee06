import CustosDecoders
import Testing

@Suite("Named values: XML")
struct XMLExtractionTests {
    @Test("a SimaticML member's StartValue lines below takes the member's name")
    func simaticMember() {
        let xml = """
            <Document><Sections><Section Name="Static">
              <Member Name="WebPassword" Datatype="String[24]">
                <AttributeList><BooleanAttribute Name="ExternalAccessible">true</BooleanAttribute></AttributeList>
                <StartValue>'Qm4vT9kz2Lp'</StartValue>
              </Member>
              <Member Name="MaxRetries" Datatype="Int"><StartValue>3</StartValue></Member>
            </Section></Sections></Document>
            """
        let found = NamedValues.credentials(xml, as: "DB_Remote.xml")
        #expect(found.map(\.value) == ["Qm4vT9kz2Lp"])
        #expect(found.first?.name == "WebPassword")
        #expect(found.first?.written == "Qm4vT9kz2Lp")
    }

    @Test("an L5X tag's String data is named by the tag; the L5K copy is not read twice; Logix escapes resolve")
    func logixTag() {
        let xml = """
            <RSLogix5000Content><Controller Name="Line3"><Tags>
            <Tag Name="FTP_Pass" DataType="STRING">
            <Data Format="L5K"><![CDATA[[11,'Ab$$9x$'Qz71$00$00']]]></Data>
            <Data Format="String" Length="11"><![CDATA['Ab$$9x$'Qz71']]></Data>
            </Tag></Tags></Controller></RSLogix5000Content>
            """
        let found = NamedValues.credentials(xml, as: "Line3.L5X")
        #expect(found.count == 1)
        #expect(found.first?.value == "Ab$9x'Qz71")
        #expect(found.first?.written == "Ab$$9x$'Qz71")
        #expect(found.first?.path.contains("Tag[FTP_Pass]") == true)
    }

    @Test(".NET add key/value, setting/value and a Name child name their values; entities keep exact spans")
    func keyValueShapes() {
        let xml = """
            <configuration>
              <appSettings><add key="SmtpPassword" value="Mx7&amp;pq2Lr"/></appSettings>
              <applicationSettings><setting name="DbKennwort" serializeAs="String"><value>Wz8hR3tq1</value></setting></applicationSettings>
              <Property><Name>ApiToken</Name><Value>tk_9f8e7d6c5b4a39281706</Value></Property>
            </configuration>
            """
        let found = NamedValues.credentials(xml, as: "web.config")
        #expect(Set(found.map(\.name)) == ["SmtpPassword", "DbKennwort", "ApiToken"])
        let smtp = found.first { $0.name == "SmtpPassword" }
        #expect(smtp?.value == "Mx7&pq2Lr")
        #expect(smtp?.written == "Mx7&amp;pq2Lr")
    }

    @Test("a sibling user becomes the identity, before or after the password")
    func siblingIdentity() {
        let xml = """
            <UserAccounts>
              <UserAccount><UserName>operator</UserName><Password>qu8sqFFA7Ztr</Password></UserAccount>
              <UserAccount><Password>Rt5mN2xw9Kc</Password><UserName>engineer</UserName></UserAccount>
            </UserAccounts>
            """
        let found = NamedValues.credentials(xml, as: "Server.Config.xml")
        #expect(found.map(\.identity) == ["operator", "engineer"])
    }

    @Test("a connection string in an attribute gives its password with the span inside the attribute")
    func connectionStringAttribute() {
        let xml = #"<connectionStrings><add name="MES" connectionString="Data Source=SQL01;User ID=mes_app;Password=Mes&amp;tg34x;Pooling=True"/></connectionStrings>"#
        let found = NamedValues.credentials(xml, as: "web.config")
        #expect(found.map(\.value) == ["Mes&tg34x"])
        #expect(found.first?.written == "Mes&amp;tg34x")
        #expect(found.first?.identity == "mes_app")
    }

    @Test("structured text in CDATA is read as IEC code, at its own place")
    func codeInCDATA() {
        let xml = """
            <TcPlcObject><GVL Name="GVL_Cloud"><Declaration><![CDATA[VAR_GLOBAL
                sMqttPassword : STRING(64) := 'FEBth156SmUIO4b';
                sBroker : STRING := 'mqtts://broker:8883';
            END_VAR]]></Declaration></GVL></TcPlcObject>
            """
        let found = NamedValues.credentials(xml, as: "GVL_Cloud.TcGVL")
        #expect(found.map(\.name) == ["sMqttPassword"])
        #expect(found.first?.written == "FEBth156SmUIO4b")
    }

    @Test("masked and empty values are read but are not credentials")
    func maskedAndEmpty() {
        let xml = #"<Psk><Identity>SERVICE</Identity><Pwd>********</Pwd></Psk><Psk><Pwd></Pwd></Psk>"#
        let all = NamedValues.read(xml, as: "StaticRoutes.xml")
        #expect(all.contains { $0.verdict == .notCredential(.masked) })
        #expect(all.allSatisfy { !$0.isCredential })
    }
}
