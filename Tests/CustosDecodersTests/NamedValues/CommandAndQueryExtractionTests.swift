import CustosDecoders
import Testing

@Suite("Named values: command lines and SQL")
struct CommandAndQueryExtractionTests {
    @Test("password flags of programs that take them, with shell quotes removed and exact spans")
    func programFlags() {
        let script = """
            mysqldump -u backup -p'Qx7!pL2w' plant > dump.sql
            sqlcmd -S SQL01 -U sa -P Sq9#zT4mw -Q "BACKUP"
            mosquitto_sub -h localhost -u monitor -P XdSYrGp59ir0jRe -t '$SYS/#'
            sshpass -p 'Ss8!kQ3vz' ssh admin@10.0.0.5
            curl -u api:Cu7!xW2qp https://historian/api
            ssh -p 2222 -l root host
            """
        let found = NamedValues.credentials(script, as: "backup.sh")
        #expect(Set(found.map(\.value)) == ["Qx7!pL2w", "Sq9#zT4mw", "XdSYrGp59ir0jRe", "Ss8!kQ3vz", "api:Cu7!xW2qp"])
        #expect(found.first?.written == "Qx7!pL2w")
        #expect(found.first?.identity == "backup")
        #expect(found.first { $0.value == "XdSYrGp59ir0jRe" }?.identity == "monitor")
    }

    @Test("spelled-out flags, Windows options, Java properties, variables set for a command")
    func genericFlags() {
        let script = """
            tool --password=Gp4!zW8qx --user svc
            tool --db-password Gq5!zW8qx
            cmdkey /generic:plc /user:eng /pass:Wp6!zW8qx
            dotnet build /p:DeployPassword=Dp7!zW8qx
            java -Ddb.password=Jp8!zW8qx -jar app.jar
            PGPASSWORD=Pg9!zW8qx psql -h db -U mes
            tool --password $SECRET
            docker login --password-stdin registry
            """
        let found = NamedValues.credentials(script, as: "deploy.sh")
        #expect(Set(found.map(\.value)) == ["Gp4!zW8qx", "Gq5!zW8qx", "Wp6!zW8qx", "Dp7!zW8qx", "Jp8!zW8qx", "Pg9!zW8qx"])
    }

    @Test("Windows batch: net use, schtasks; PowerShell plain-text secure strings; echo into a password prompt")
    func windowsAndPipes() {
        let batch = "net use Z: \\\\nas01\\backup /user:PLANT\\svc_backup Winter2025! /persistent:no\nschtasks /Create /TN x /RU svc /RP Rp4!zW8qx\n"
        #expect(Set(NamedValues.credentials(batch, as: "backup.bat").map(\.value)) == ["Winter2025!", "Rp4!zW8qx"])
        let powershell = "$secure = ConvertTo-SecureString 'Molino2025?ow' -AsPlainText -Force"
        #expect(NamedValues.credentials(powershell, as: "Export.ps1").map(\.value).contains("Molino2025?ow"))
        let pipe = "echo Molino2011$yf| \"C:\\Program Files (x86)\\AnyDesk\\AnyDesk.exe\" --set-password _full_access"
        #expect(NamedValues.credentials(pipe, as: "install.cmd").map(\.value) == ["Molino2011$yf"])
    }

    @Test("SQL: IDENTIFIED BY, WITH PASSWORD, HASHED, linked-server logins, rows under a password column")
    func sql() {
        let sql = """
            CREATE USER 'report'@'%' IDENTIFIED BY 'Rp7!xQ2wz';
            CREATE LOGIN [svc_mes] WITH PASSWORD = N'Ms8#kT3vq', CHECK_POLICY = OFF;
            CREATE LOGIN [old] WITH PASSWORD = 0x0200A1B2C3D4E5F60718293A4B5C6D7E8F90A1B2C3D4E5F60718293A4B5C6D7E8F90A1B2C3D4 HASHED;
            EXEC sp_addlinkedsrvlogin @rmtsrvname = N'HIST', @useself = N'False', @rmtuser = N'hist_ro', @rmtpassword = N'Hr9$pW4xz';
            EXEC sp_addlinkedsrvlogin 'ERP', 'false', NULL, 'erp_ro', 'Er5!qZ8wm';
            CREATE TABLE accounts (id int, login varchar(32), password varchar(64));
            INSERT INTO accounts VALUES (1, 'plc', 'Pl4!zQ8wx'), (2, 'hmi', 'Hm6#xR2vq');
            """
        let all = NamedValues.read(sql, as: "setup.sql")
        let found = all.filter(\.isCredential)
        #expect(Set(found.map(\.value)) == ["Rp7!xQ2wz", "Ms8#kT3vq", "Hr9$pW4xz", "Er5!qZ8wm", "Pl4!zQ8wx", "Hm6#xR2vq"])
        #expect(found.first { $0.value == "Rp7!xQ2wz" }?.identity == "report")
        #expect(found.first { $0.value == "Hr9$pW4xz" }?.identity == "hist_ro")
        #expect(found.first { $0.value == "Er5!qZ8wm" }?.identity == "erp_ro")
        #expect(found.first { $0.value == "Hm6#xR2vq" }?.identity == "hmi")
        #expect(all.contains { $0.verdict == .hash(.mssql) })
    }

    @Test("a job step's command is read as a command line")
    func jobStep() {
        let sql = "EXEC msdb.dbo.sp_add_jobstep @job_name = N'Export', @command = N'sqlcmd -S . -U exp -P Ex7!pQ2wz -i export.sql';"
        #expect(NamedValues.credentials(sql, as: "jobs.sql").map(\.value) == ["Ex7!pQ2wz"])
    }

    @Test("a query string in a command ends where its word does")
    func queryStringInCommand() {
        let workflow = "steps:\n  - name: Configure\n    run: |\n      curl -s -d 'username=Administrator&password=Qx7!pm2Lk9' -X POST http://localhost:8091/setup\n"
        #expect(Set(NamedValues.credentials(workflow, as: "ci.yml").map(\.value)) == ["Qx7!pm2Lk9"])
    }
}
