
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'mailfino-sf' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'mailfino-sf'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'mailfino-sf' {
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Which stored configuration to use')
            [CompletionResult]::new('--config-dir', '--config-dir', [CompletionResultType]::ParameterName, 'Where config.toml (and the file store) live [default: the platform config dir + /mailfino-sf]')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Where secrets go [default: keyring, falling back to file when no keyring answers]')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Machine-readable result on stdout; all human text goes to stderr')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'No ANSI colour (also off when NO_COLOR is set or the stream is not a terminal)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Trace every HTTP exchange on stderr, with secrets redacted')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Trace every HTTP exchange on stderr, with secrets redacted')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('setup', 'setup', [CompletionResultType]::ParameterValue, 'Walk the Salesforce Setup checklist, check the app live, and write mailfino''s environment')
            [CompletionResult]::new('login', 'login', [CompletionResultType]::ParameterValue, 'Log in with PKCE through a loopback listener and the browser; store the refresh token')
            [CompletionResult]::new('verify', 'verify', [CompletionResultType]::ParameterValue, 'Check the app, the secret, the scopes and the refresh token; a fix hint for every failure')
            [CompletionResult]::new('audit', 'audit', [CompletionResultType]::ParameterValue, 'Read the app''s policies and the integration user''s state as an admin; a fix for each risk')
            [CompletionResult]::new('refresh', 'refresh', [CompletionResultType]::ParameterValue, 'Renew the access token with the stored refresh token (a rotated token is saved first)')
            [CompletionResult]::new('logout', 'logout', [CompletionResultType]::ParameterValue, 'Revoke the refresh token at Salesforce and delete it; the Consumer Secret stays')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Show what is configured: every profile, where its secrets are, the last refresh and verify')
            [CompletionResult]::new('export-ci', 'export-ci', [CompletionResultType]::ParameterValue, 'Print the MAILFINO_SF_* variables of the profile for a CI secret store (holds secrets)')
            [CompletionResult]::new('emulator', 'emulator', [CompletionResultType]::ParameterValue, 'Run a local Salesforce OAuth emulator, for trying the tool and for CI')
            [CompletionResult]::new('demo', 'demo', [CompletionResultType]::ParameterValue, 'The whole journey (setup, login, verify, refresh, logout) against a built-in emulator')
            [CompletionResult]::new('app', 'app', [CompletionResultType]::ParameterValue, 'mailfino''s External Client App as metadata: export it to deploy, or check an app''s files')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'mailfino-sf;setup' {
            [CompletionResult]::new('--login-url', '--login-url', [CompletionResultType]::ParameterName, 'Salesforce login URL: https://login.salesforce.com, https://test.salesforce.com or https://NAME.my.salesforce.com')
            [CompletionResult]::new('--client-id', '--client-id', [CompletionResultType]::ParameterName, 'The app''s Consumer Key')
            [CompletionResult]::new('--mailfino-url', '--mailfino-url', [CompletionResultType]::ParameterName, 'The public base URL of a self-hosted mailfino (absent: mailfino Cloud)')
            [CompletionResult]::new('--redirect-uri', '--redirect-uri', [CompletionResultType]::ParameterName, 'This tool''s loopback redirect URI [default: http://localhost:8717/callback]')
            [CompletionResult]::new('--env-file', '--env-file', [CompletionResultType]::ParameterName, 'Merge mailfino''s server environment (MAILFINO_SALESFORCE_*) into this file (owner and mode kept, symlinks followed, timestamped backups)')
            [CompletionResult]::new('--retry-for', '--retry-for', [CompletionResultType]::ParameterName, 'Keep re-checking for up to SECS (at most 1800) while Salesforce does not know the new app yet')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Which stored configuration to use')
            [CompletionResult]::new('--config-dir', '--config-dir', [CompletionResultType]::ParameterName, 'Where config.toml (and the file store) live [default: the platform config dir + /mailfino-sf]')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Where secrets go [default: keyring, falling back to file when no keyring answers]')
            [CompletionResult]::new('--non-interactive', '--non-interactive', [CompletionResultType]::ParameterName, 'Never prompt; take every value from flags or the environment')
            [CompletionResult]::new('--client-secret-stdin', '--client-secret-stdin', [CompletionResultType]::ParameterName, 'Read the Consumer Secret from stdin (or set MAILFINO_SF_CLIENT_SECRET)')
            [CompletionResult]::new('--print-env', '--print-env', [CompletionResultType]::ParameterName, 'Print mailfino''s server environment lines to stdout (they contain the secret)')
            [CompletionResult]::new('--login', '--login', [CompletionResultType]::ParameterName, 'Run the login at the end')
            [CompletionResult]::new('--no-check', '--no-check', [CompletionResultType]::ParameterName, 'Save without checking the app against Salesforce')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Machine-readable result on stdout; all human text goes to stderr')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'No ANSI colour (also off when NO_COLOR is set or the stream is not a terminal)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Trace every HTTP exchange on stderr, with secrets redacted')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Trace every HTTP exchange on stderr, with secrets redacted')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'mailfino-sf;login' {
            [CompletionResult]::new('--redirect-uri', '--redirect-uri', [CompletionResultType]::ParameterName, 'The loopback redirect URI registered on the app')
            [CompletionResult]::new('--wait', '--wait', [CompletionResultType]::ParameterName, 'How long to wait for the browser, in seconds')
            [CompletionResult]::new('--scope', '--scope', [CompletionResultType]::ParameterName, 'Scopes to request, e.g. "api refresh_token" [default: none sent, so the app''s scopes are granted and a missing one can be named]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Which stored configuration to use')
            [CompletionResult]::new('--config-dir', '--config-dir', [CompletionResultType]::ParameterName, 'Where config.toml (and the file store) live [default: the platform config dir + /mailfino-sf]')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Where secrets go [default: keyring, falling back to file when no keyring answers]')
            [CompletionResult]::new('--no-browser', '--no-browser', [CompletionResultType]::ParameterName, 'Print the login URL only; do not open a browser')
            [CompletionResult]::new('--paste', '--paste', [CompletionResultType]::ParameterName, 'Read the address-bar URL (or the bare code) from stdin instead of listening')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Machine-readable result on stdout; all human text goes to stderr')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'No ANSI colour (also off when NO_COLOR is set or the stream is not a terminal)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Trace every HTTP exchange on stderr, with secrets redacted')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Trace every HTTP exchange on stderr, with secrets redacted')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'mailfino-sf;verify' {
            [CompletionResult]::new('--rotated-token-out', '--rotated-token-out', [CompletionResultType]::ParameterName, 'Where a rotated refresh token goes when the old one came from the environment (0600)')
            [CompletionResult]::new('--env-file', '--env-file', [CompletionResultType]::ParameterName, 'mailfino''s env file to check (else the one setup recorded). Without a profile, its MAILFINO_SALESFORCE_* values are checked live, e.g. on mailfino''s own server')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Which stored configuration to use')
            [CompletionResult]::new('--config-dir', '--config-dir', [CompletionResultType]::ParameterName, 'Where config.toml (and the file store) live [default: the platform config dir + /mailfino-sf]')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Where secrets go [default: keyring, falling back to file when no keyring answers]')
            [CompletionResult]::new('--renew', '--renew', [CompletionResultType]::ParameterName, 'In env-only mode, prove renewal with a real refresh grant (may rotate the token)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Machine-readable result on stdout; all human text goes to stderr')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'No ANSI colour (also off when NO_COLOR is set or the stream is not a terminal)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Trace every HTTP exchange on stderr, with secrets redacted')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Trace every HTTP exchange on stderr, with secrets redacted')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'mailfino-sf;audit' {
            [CompletionResult]::new('--redirect-uri', '--redirect-uri', [CompletionResultType]::ParameterName, 'The loopback redirect URI registered on the app')
            [CompletionResult]::new('--wait', '--wait', [CompletionResultType]::ParameterName, 'How long to wait for the browser, in seconds')
            [CompletionResult]::new('--scope', '--scope', [CompletionResultType]::ParameterName, 'Scopes to request, e.g. "api refresh_token" [default: none sent, so the app''s scopes are granted and a missing one can be named]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Which stored configuration to use')
            [CompletionResult]::new('--config-dir', '--config-dir', [CompletionResultType]::ParameterName, 'Where config.toml (and the file store) live [default: the platform config dir + /mailfino-sf]')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Where secrets go [default: keyring, falling back to file when no keyring answers]')
            [CompletionResult]::new('--no-browser', '--no-browser', [CompletionResultType]::ParameterName, 'Print the login URL only; do not open a browser')
            [CompletionResult]::new('--paste', '--paste', [CompletionResultType]::ParameterName, 'Read the address-bar URL (or the bare code) from stdin instead of listening')
            [CompletionResult]::new('--keep-admin-token', '--keep-admin-token', [CompletionResultType]::ParameterName, 'Keep the admin''s refresh token in the profile''s secrets (later audits reuse it without a browser) instead of revoking it')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Machine-readable result on stdout; all human text goes to stderr')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'No ANSI colour (also off when NO_COLOR is set or the stream is not a terminal)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Trace every HTTP exchange on stderr, with secrets redacted')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Trace every HTTP exchange on stderr, with secrets redacted')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'mailfino-sf;refresh' {
            [CompletionResult]::new('--rotated-token-out', '--rotated-token-out', [CompletionResultType]::ParameterName, 'Where a rotated refresh token goes when the old one came from the environment (0600)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Which stored configuration to use')
            [CompletionResult]::new('--config-dir', '--config-dir', [CompletionResultType]::ParameterName, 'Where config.toml (and the file store) live [default: the platform config dir + /mailfino-sf]')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Where secrets go [default: keyring, falling back to file when no keyring answers]')
            [CompletionResult]::new('--show-token', '--show-token', [CompletionResultType]::ParameterName, 'Print the access token alone on stdout (for `$(...)`)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Machine-readable result on stdout; all human text goes to stderr')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'No ANSI colour (also off when NO_COLOR is set or the stream is not a terminal)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Trace every HTTP exchange on stderr, with secrets redacted')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Trace every HTTP exchange on stderr, with secrets redacted')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'mailfino-sf;logout' {
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Which stored configuration to use')
            [CompletionResult]::new('--config-dir', '--config-dir', [CompletionResultType]::ParameterName, 'Where config.toml (and the file store) live [default: the platform config dir + /mailfino-sf]')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Where secrets go [default: keyring, falling back to file when no keyring answers]')
            [CompletionResult]::new('--local-only', '--local-only', [CompletionResultType]::ParameterName, 'Do not revoke at Salesforce; only delete the local refresh token (and a kept admin token)')
            [CompletionResult]::new('--forget-secret', '--forget-secret', [CompletionResultType]::ParameterName, 'Also delete the Consumer Secret (asks first on a terminal)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Machine-readable result on stdout; all human text goes to stderr')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'No ANSI colour (also off when NO_COLOR is set or the stream is not a terminal)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Trace every HTTP exchange on stderr, with secrets redacted')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Trace every HTTP exchange on stderr, with secrets redacted')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'mailfino-sf;status' {
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Which stored configuration to use')
            [CompletionResult]::new('--config-dir', '--config-dir', [CompletionResultType]::ParameterName, 'Where config.toml (and the file store) live [default: the platform config dir + /mailfino-sf]')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Where secrets go [default: keyring, falling back to file when no keyring answers]')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Machine-readable result on stdout; all human text goes to stderr')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'No ANSI colour (also off when NO_COLOR is set or the stream is not a terminal)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Trace every HTTP exchange on stderr, with secrets redacted')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Trace every HTTP exchange on stderr, with secrets redacted')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'mailfino-sf;export-ci' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--wait', '--wait', [CompletionResultType]::ParameterName, 'CI''s login: how long to wait for the browser, in seconds')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Which stored configuration to use')
            [CompletionResult]::new('--config-dir', '--config-dir', [CompletionResultType]::ParameterName, 'Where config.toml (and the file store) live [default: the platform config dir + /mailfino-sf]')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Where secrets go [default: keyring, falling back to file when no keyring answers]')
            [CompletionResult]::new('--share-profile-token', '--share-profile-token', [CompletionResultType]::ParameterName, 'Hand CI the profile''s own refresh token instead of logging in once more for CI''s own (with refresh token rotation, a refresh on either side then spends the other''s token)')
            [CompletionResult]::new('--paste', '--paste', [CompletionResultType]::ParameterName, 'CI''s login: read the address-bar URL (or the bare code) from stdin instead of listening')
            [CompletionResult]::new('--no-browser', '--no-browser', [CompletionResultType]::ParameterName, 'CI''s login: print the login URL only; do not open a browser')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Machine-readable result on stdout; all human text goes to stderr')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'No ANSI colour (also off when NO_COLOR is set or the stream is not a terminal)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Trace every HTTP exchange on stderr, with secrets redacted')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Trace every HTTP exchange on stderr, with secrets redacted')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'mailfino-sf;emulator' {
            [CompletionResult]::new('--port', '--port', [CompletionResultType]::ParameterName, 'Port to listen on (0 picks a free one)')
            [CompletionResult]::new('--client-id', '--client-id', [CompletionResultType]::ParameterName, 'The app''s Consumer Key [default: generated and printed]')
            [CompletionResult]::new('--client-secret', '--client-secret', [CompletionResultType]::ParameterName, 'The app''s Consumer Secret [default: generated and printed]')
            [CompletionResult]::new('--callback', '--callback', [CompletionResultType]::ParameterName, 'A registered callback URL (repeat for several)')
            [CompletionResult]::new('--scopes', '--scopes', [CompletionResultType]::ParameterName, 'The app''s OAuth scopes')
            [CompletionResult]::new('--access-ttl', '--access-ttl', [CompletionResultType]::ParameterName, 'Access-token lifetime in seconds')
            [CompletionResult]::new('--fail-token', '--fail-token', [CompletionResultType]::ParameterName, 'The next N token calls answer 503 with an HTML body')
            [CompletionResult]::new('--slow-ms', '--slow-ms', [CompletionResultType]::ParameterName, 'Delay every answer by MS milliseconds')
            [CompletionResult]::new('--propagation', '--propagation', [CompletionResultType]::ParameterName, 'The client id is unknown for the first N calls (as just after an app is saved)')
            [CompletionResult]::new('--pre-login-errors', '--pre-login-errors', [CompletionResultType]::ParameterName, 'How an unknown Consumer Key or unregistered callback is answered, before any login')
            [CompletionResult]::new('--revoke-errors', '--revoke-errors', [CompletionResultType]::ParameterName, 'How revoke errors are answered')
            [CompletionResult]::new('--org-id', '--org-id', [CompletionResultType]::ParameterName, 'The org id (another one plays a refreshed sandbox)')
            [CompletionResult]::new('--instance-host', '--instance-host', [CompletionResultType]::ParameterName, 'Serve the instance under this host name, e.g. `localhost` (a moved instance or My Domain)')
            [CompletionResult]::new('--api-usage', '--api-usage', [CompletionResultType]::ParameterName, 'Daily API requests already used, as USED/MAX (e.g. 12500/15000); at MAX every REST call answers REQUEST_LIMIT_EXCEEDED')
            [CompletionResult]::new('--login-as', '--login-as', [CompletionResultType]::ParameterName, 'Who is logged in on the consent page')
            [CompletionResult]::new('--prior-approvals', '--prior-approvals', [CompletionResultType]::ParameterName, 'Approvals of the app the integration user made elsewhere before')
            [CompletionResult]::new('--app-name', '--app-name', [CompletionResultType]::ParameterName, 'The app''s name and label')
            [CompletionResult]::new('--refresh-policy', '--refresh-policy', [CompletionResultType]::ParameterName, 'The refresh token policy, enforced on refresh and introspection: infinite, zero, inactivity:N{h,d,m} (counted from the last refresh) or lifetime:N{h,d,m} (from the login)')
            [CompletionResult]::new('--ip-policy', '--ip-policy', [CompletionResultType]::ParameterName, 'The IP relaxation policy')
            [CompletionResult]::new('--session-timeout', '--session-timeout', [CompletionResultType]::ParameterName, 'The app''s session timeout in minutes')
            [CompletionResult]::new('--hide-object', '--hide-object', [CompletionResultType]::ParameterName, 'An object that answers INVALID_TYPE to everyone (repeat for several)')
            [CompletionResult]::new('--fail-path', '--fail-path', [CompletionResultType]::ParameterName, 'Requests whose path starts with PREFIX answer 503 (repeat for several)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Which stored configuration to use')
            [CompletionResult]::new('--config-dir', '--config-dir', [CompletionResultType]::ParameterName, 'Where config.toml (and the file store) live [default: the platform config dir + /mailfino-sf]')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Where secrets go [default: keyring, falling back to file when no keyring answers]')
            [CompletionResult]::new('--rotate-refresh-tokens', '--rotate-refresh-tokens', [CompletionResultType]::ParameterName, 'Rotate refresh tokens on every refresh grant')
            [CompletionResult]::new('--auto-approve', '--auto-approve', [CompletionResultType]::ParameterName, 'Skip the login-and-consent page (approve at once)')
            [CompletionResult]::new('--require-pkce', '--require-pkce', [CompletionResultType]::ParameterName, 'Require PKCE (the default for a new External Client App)')
            [CompletionResult]::new('--no-require-pkce', '--no-require-pkce', [CompletionResultType]::ParameterName, 'Do not require PKCE')
            [CompletionResult]::new('--api-disabled', '--api-disabled', [CompletionResultType]::ParameterName, 'REST calls answer API_DISABLED_FOR_ORG')
            [CompletionResult]::new('--session-locked', '--session-locked', [CompletionResultType]::ParameterName, 'REST calls answer INVALID_SESSION_ID (sessions locked to their IP, API Access Control)')
            [CompletionResult]::new('--user-inactive', '--user-inactive', [CompletionResultType]::ParameterName, 'The integration user is deactivated (its refreshes answer `inactive user`)')
            [CompletionResult]::new('--user-frozen', '--user-frozen', [CompletionResultType]::ParameterName, 'The integration user is frozen')
            [CompletionResult]::new('--no-permission-set', '--no-permission-set', [CompletionResultType]::ParameterName, 'The integration user lacks mailfino''s permission set')
            [CompletionResult]::new('--connected-app', '--connected-app', [CompletionResultType]::ParameterName, 'The app is a legacy Connected App instead of an External Client App')
            [CompletionResult]::new('--app-disabled', '--app-disabled', [CompletionResultType]::ParameterName, 'The app is disabled')
            [CompletionResult]::new('--admin-approved', '--admin-approved', [CompletionResultType]::ParameterName, 'Admin-approved users are pre-authorized (through mailfino''s permission set)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Machine-readable result on stdout; all human text goes to stderr')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'No ANSI colour (also off when NO_COLOR is set or the stream is not a terminal)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Trace every HTTP exchange on stderr, with secrets redacted')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Trace every HTTP exchange on stderr, with secrets redacted')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'mailfino-sf;demo' {
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Which stored configuration to use')
            [CompletionResult]::new('--config-dir', '--config-dir', [CompletionResultType]::ParameterName, 'Where config.toml (and the file store) live [default: the platform config dir + /mailfino-sf]')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Where secrets go [default: keyring, falling back to file when no keyring answers]')
            [CompletionResult]::new('--keep', '--keep', [CompletionResultType]::ParameterName, 'Keep the throwaway config dir and print its path')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Machine-readable result on stdout; all human text goes to stderr')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'No ANSI colour (also off when NO_COLOR is set or the stream is not a terminal)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Trace every HTTP exchange on stderr, with secrets redacted')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Trace every HTTP exchange on stderr, with secrets redacted')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'mailfino-sf;app' {
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Which stored configuration to use')
            [CompletionResult]::new('--config-dir', '--config-dir', [CompletionResultType]::ParameterName, 'Where config.toml (and the file store) live [default: the platform config dir + /mailfino-sf]')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Where secrets go [default: keyring, falling back to file when no keyring answers]')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Machine-readable result on stdout; all human text goes to stderr')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'No ANSI colour (also off when NO_COLOR is set or the stream is not a terminal)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Trace every HTTP exchange on stderr, with secrets redacted')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Trace every HTTP exchange on stderr, with secrets redacted')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('export', 'export', [CompletionResultType]::ParameterValue, 'Write the app as a source-format project to deploy with the Salesforce CLI')
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Check an exported or retrieved project against what mailfino needs')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'mailfino-sf;app;export' {
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'The app''s API name [default: the profile''s app_name, else mailfino]')
            [CompletionResult]::new('--contact-email', '--contact-email', [CompletionResultType]::ParameterName, 'The e-mail address Salesforce shows as the app''s contact (required)')
            [CompletionResult]::new('--permission-set', '--permission-set', [CompletionResultType]::ParameterName, 'Admin-approved users, pre-authorized through this permission set (API name) [default: all users may self-authorize]')
            [CompletionResult]::new('--refresh-policy', '--refresh-policy', [CompletionResultType]::ParameterName, 'Refresh token policy: infinite, inactivity:N{h,d,m} or lifetime:N{h,d,m} (h hours, d days, m months)')
            [CompletionResult]::new('--ip-policy', '--ip-policy', [CompletionResultType]::ParameterName, 'IP relaxation: enforce, bypass, or relax-refresh (enforce, relaxed for refresh tokens, so mailfino''s refreshes work from any server address)')
            [CompletionResult]::new('--mailfino-url', '--mailfino-url', [CompletionResultType]::ParameterName, 'The public base URL of a self-hosted mailfino [default: the profile''s callback, else mailfino Cloud]')
            [CompletionResult]::new('--redirect-uri', '--redirect-uri', [CompletionResultType]::ParameterName, 'This tool''s loopback redirect URI [default: the profile''s, else http://localhost:8717/callback]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Which stored configuration to use')
            [CompletionResult]::new('--config-dir', '--config-dir', [CompletionResultType]::ParameterName, 'Where config.toml (and the file store) live [default: the platform config dir + /mailfino-sf]')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Where secrets go [default: keyring, falling back to file when no keyring answers]')
            [CompletionResult]::new('--rotation', '--rotation', [CompletionResultType]::ParameterName, 'Enable refresh token rotation (mailfino then has to store each new refresh token)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Machine-readable result on stdout; all human text goes to stderr')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'No ANSI colour (also off when NO_COLOR is set or the stream is not a terminal)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Trace every HTTP exchange on stderr, with secrets redacted')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Trace every HTTP exchange on stderr, with secrets redacted')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'mailfino-sf;app;check' {
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'Which app to check when the project holds several')
            [CompletionResult]::new('--mailfino-url', '--mailfino-url', [CompletionResultType]::ParameterName, 'The public base URL of a self-hosted mailfino [default: the profile''s callback, else mailfino Cloud]')
            [CompletionResult]::new('--redirect-uri', '--redirect-uri', [CompletionResultType]::ParameterName, 'This tool''s loopback redirect URI [default: the profile''s, else http://localhost:8717/callback]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Which stored configuration to use')
            [CompletionResult]::new('--config-dir', '--config-dir', [CompletionResultType]::ParameterName, 'Where config.toml (and the file store) live [default: the platform config dir + /mailfino-sf]')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Where secrets go [default: keyring, falling back to file when no keyring answers]')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Machine-readable result on stdout; all human text goes to stderr')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'No ANSI colour (also off when NO_COLOR is set or the stream is not a terminal)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Trace every HTTP exchange on stderr, with secrets redacted')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Trace every HTTP exchange on stderr, with secrets redacted')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'mailfino-sf;app;help' {
            [CompletionResult]::new('export', 'export', [CompletionResultType]::ParameterValue, 'Write the app as a source-format project to deploy with the Salesforce CLI')
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Check an exported or retrieved project against what mailfino needs')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'mailfino-sf;app;help;export' {
            break
        }
        'mailfino-sf;app;help;check' {
            break
        }
        'mailfino-sf;app;help;help' {
            break
        }
        'mailfino-sf;completions' {
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Which stored configuration to use')
            [CompletionResult]::new('--config-dir', '--config-dir', [CompletionResultType]::ParameterName, 'Where config.toml (and the file store) live [default: the platform config dir + /mailfino-sf]')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Where secrets go [default: keyring, falling back to file when no keyring answers]')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Machine-readable result on stdout; all human text goes to stderr')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'No ANSI colour (also off when NO_COLOR is set or the stream is not a terminal)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Trace every HTTP exchange on stderr, with secrets redacted')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Trace every HTTP exchange on stderr, with secrets redacted')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'mailfino-sf;help' {
            [CompletionResult]::new('setup', 'setup', [CompletionResultType]::ParameterValue, 'Walk the Salesforce Setup checklist, check the app live, and write mailfino''s environment')
            [CompletionResult]::new('login', 'login', [CompletionResultType]::ParameterValue, 'Log in with PKCE through a loopback listener and the browser; store the refresh token')
            [CompletionResult]::new('verify', 'verify', [CompletionResultType]::ParameterValue, 'Check the app, the secret, the scopes and the refresh token; a fix hint for every failure')
            [CompletionResult]::new('audit', 'audit', [CompletionResultType]::ParameterValue, 'Read the app''s policies and the integration user''s state as an admin; a fix for each risk')
            [CompletionResult]::new('refresh', 'refresh', [CompletionResultType]::ParameterValue, 'Renew the access token with the stored refresh token (a rotated token is saved first)')
            [CompletionResult]::new('logout', 'logout', [CompletionResultType]::ParameterValue, 'Revoke the refresh token at Salesforce and delete it; the Consumer Secret stays')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Show what is configured: every profile, where its secrets are, the last refresh and verify')
            [CompletionResult]::new('export-ci', 'export-ci', [CompletionResultType]::ParameterValue, 'Print the MAILFINO_SF_* variables of the profile for a CI secret store (holds secrets)')
            [CompletionResult]::new('emulator', 'emulator', [CompletionResultType]::ParameterValue, 'Run a local Salesforce OAuth emulator, for trying the tool and for CI')
            [CompletionResult]::new('demo', 'demo', [CompletionResultType]::ParameterValue, 'The whole journey (setup, login, verify, refresh, logout) against a built-in emulator')
            [CompletionResult]::new('app', 'app', [CompletionResultType]::ParameterValue, 'mailfino''s External Client App as metadata: export it to deploy, or check an app''s files')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'mailfino-sf;help;setup' {
            break
        }
        'mailfino-sf;help;login' {
            break
        }
        'mailfino-sf;help;verify' {
            break
        }
        'mailfino-sf;help;audit' {
            break
        }
        'mailfino-sf;help;refresh' {
            break
        }
        'mailfino-sf;help;logout' {
            break
        }
        'mailfino-sf;help;status' {
            break
        }
        'mailfino-sf;help;export-ci' {
            break
        }
        'mailfino-sf;help;emulator' {
            break
        }
        'mailfino-sf;help;demo' {
            break
        }
        'mailfino-sf;help;app' {
            [CompletionResult]::new('export', 'export', [CompletionResultType]::ParameterValue, 'Write the app as a source-format project to deploy with the Salesforce CLI')
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Check an exported or retrieved project against what mailfino needs')
            break
        }
        'mailfino-sf;help;app;export' {
            break
        }
        'mailfino-sf;help;app;check' {
            break
        }
        'mailfino-sf;help;completions' {
            break
        }
        'mailfino-sf;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
