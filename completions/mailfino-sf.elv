
use builtin;
use str;

set edit:completion:arg-completer[mailfino-sf] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'mailfino-sf'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'mailfino-sf'= {
            cand --profile 'Which stored configuration to use'
            cand --config-dir 'Where config.toml (and the file store) live [default: the platform config dir + /mailfino-sf]'
            cand --store 'Where secrets go [default: keyring, falling back to file when no keyring answers]'
            cand --json 'Machine-readable result on stdout; all human text goes to stderr'
            cand --no-color 'No ANSI colour (also off when NO_COLOR is set or the stream is not a terminal)'
            cand -v 'Trace every HTTP exchange on stderr, with secrets redacted'
            cand --verbose 'Trace every HTTP exchange on stderr, with secrets redacted'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand setup 'Walk the Salesforce Setup checklist, check the app live, and write mailfino''s environment'
            cand login 'Log in with PKCE through a loopback listener and the browser; store the refresh token'
            cand verify 'Check the app, the secret, the scopes and the refresh token; a fix hint for every failure'
            cand audit 'Read the app''s policies and the integration user''s state as an admin; a fix for each risk'
            cand refresh 'Renew the access token with the stored refresh token (a rotated token is saved first)'
            cand logout 'Revoke the refresh token at Salesforce and delete it; the Consumer Secret stays'
            cand status 'Show what is configured: every profile, where its secrets are, the last refresh and verify'
            cand export-ci 'Print the MAILFINO_SF_* variables of the profile for a CI secret store (holds secrets)'
            cand emulator 'Run a local Salesforce OAuth emulator, for trying the tool and for CI'
            cand demo 'The whole journey (setup, login, verify, refresh, logout) against a built-in emulator'
            cand app 'mailfino''s External Client App as metadata: export it to deploy, or check an app''s files'
            cand completions 'Print a shell completion script'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'mailfino-sf;setup'= {
            cand --login-url 'Salesforce login URL: https://login.salesforce.com, https://test.salesforce.com or https://NAME.my.salesforce.com'
            cand --client-id 'The app''s Consumer Key'
            cand --mailfino-url 'The public base URL of a self-hosted mailfino (absent: mailfino Cloud)'
            cand --redirect-uri 'This tool''s loopback redirect URI [default: http://localhost:8717/callback]'
            cand --env-file 'Merge mailfino''s server environment (MAILFINO_SALESFORCE_*) into this file (owner and mode kept, symlinks followed, timestamped backups)'
            cand --retry-for 'Keep re-checking for up to SECS (at most 1800) while Salesforce does not know the new app yet'
            cand --profile 'Which stored configuration to use'
            cand --config-dir 'Where config.toml (and the file store) live [default: the platform config dir + /mailfino-sf]'
            cand --store 'Where secrets go [default: keyring, falling back to file when no keyring answers]'
            cand --non-interactive 'Never prompt; take every value from flags or the environment'
            cand --client-secret-stdin 'Read the Consumer Secret from stdin (or set MAILFINO_SF_CLIENT_SECRET)'
            cand --print-env 'Print mailfino''s server environment lines to stdout (they contain the secret)'
            cand --login 'Run the login at the end'
            cand --no-check 'Save without checking the app against Salesforce'
            cand --json 'Machine-readable result on stdout; all human text goes to stderr'
            cand --no-color 'No ANSI colour (also off when NO_COLOR is set or the stream is not a terminal)'
            cand -v 'Trace every HTTP exchange on stderr, with secrets redacted'
            cand --verbose 'Trace every HTTP exchange on stderr, with secrets redacted'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'mailfino-sf;login'= {
            cand --redirect-uri 'The loopback redirect URI registered on the app'
            cand --wait 'How long to wait for the browser, in seconds'
            cand --scope 'Scopes to request, e.g. "api refresh_token" [default: none sent, so the app''s scopes are granted and a missing one can be named]'
            cand --profile 'Which stored configuration to use'
            cand --config-dir 'Where config.toml (and the file store) live [default: the platform config dir + /mailfino-sf]'
            cand --store 'Where secrets go [default: keyring, falling back to file when no keyring answers]'
            cand --no-browser 'Print the login URL only; do not open a browser'
            cand --paste 'Read the address-bar URL (or the bare code) from stdin instead of listening'
            cand --json 'Machine-readable result on stdout; all human text goes to stderr'
            cand --no-color 'No ANSI colour (also off when NO_COLOR is set or the stream is not a terminal)'
            cand -v 'Trace every HTTP exchange on stderr, with secrets redacted'
            cand --verbose 'Trace every HTTP exchange on stderr, with secrets redacted'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'mailfino-sf;verify'= {
            cand --rotated-token-out 'Where a rotated refresh token goes when the old one came from the environment (0600)'
            cand --env-file 'mailfino''s env file to check (else the one setup recorded). Without a profile, its MAILFINO_SALESFORCE_* values are checked live, e.g. on mailfino''s own server'
            cand --profile 'Which stored configuration to use'
            cand --config-dir 'Where config.toml (and the file store) live [default: the platform config dir + /mailfino-sf]'
            cand --store 'Where secrets go [default: keyring, falling back to file when no keyring answers]'
            cand --renew 'In env-only mode, prove renewal with a real refresh grant (may rotate the token)'
            cand --json 'Machine-readable result on stdout; all human text goes to stderr'
            cand --no-color 'No ANSI colour (also off when NO_COLOR is set or the stream is not a terminal)'
            cand -v 'Trace every HTTP exchange on stderr, with secrets redacted'
            cand --verbose 'Trace every HTTP exchange on stderr, with secrets redacted'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'mailfino-sf;audit'= {
            cand --redirect-uri 'The loopback redirect URI registered on the app'
            cand --wait 'How long to wait for the browser, in seconds'
            cand --scope 'Scopes to request, e.g. "api refresh_token" [default: none sent, so the app''s scopes are granted and a missing one can be named]'
            cand --profile 'Which stored configuration to use'
            cand --config-dir 'Where config.toml (and the file store) live [default: the platform config dir + /mailfino-sf]'
            cand --store 'Where secrets go [default: keyring, falling back to file when no keyring answers]'
            cand --no-browser 'Print the login URL only; do not open a browser'
            cand --paste 'Read the address-bar URL (or the bare code) from stdin instead of listening'
            cand --keep-admin-token 'Keep the admin''s refresh token in the profile''s secrets (later audits reuse it without a browser) instead of revoking it'
            cand --json 'Machine-readable result on stdout; all human text goes to stderr'
            cand --no-color 'No ANSI colour (also off when NO_COLOR is set or the stream is not a terminal)'
            cand -v 'Trace every HTTP exchange on stderr, with secrets redacted'
            cand --verbose 'Trace every HTTP exchange on stderr, with secrets redacted'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'mailfino-sf;refresh'= {
            cand --rotated-token-out 'Where a rotated refresh token goes when the old one came from the environment (0600)'
            cand --profile 'Which stored configuration to use'
            cand --config-dir 'Where config.toml (and the file store) live [default: the platform config dir + /mailfino-sf]'
            cand --store 'Where secrets go [default: keyring, falling back to file when no keyring answers]'
            cand --show-token 'Print the access token alone on stdout (for `$(...)`)'
            cand --json 'Machine-readable result on stdout; all human text goes to stderr'
            cand --no-color 'No ANSI colour (also off when NO_COLOR is set or the stream is not a terminal)'
            cand -v 'Trace every HTTP exchange on stderr, with secrets redacted'
            cand --verbose 'Trace every HTTP exchange on stderr, with secrets redacted'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'mailfino-sf;logout'= {
            cand --profile 'Which stored configuration to use'
            cand --config-dir 'Where config.toml (and the file store) live [default: the platform config dir + /mailfino-sf]'
            cand --store 'Where secrets go [default: keyring, falling back to file when no keyring answers]'
            cand --local-only 'Do not revoke at Salesforce; only delete the local refresh token (and a kept admin token)'
            cand --forget-secret 'Also delete the Consumer Secret (asks first on a terminal)'
            cand --json 'Machine-readable result on stdout; all human text goes to stderr'
            cand --no-color 'No ANSI colour (also off when NO_COLOR is set or the stream is not a terminal)'
            cand -v 'Trace every HTTP exchange on stderr, with secrets redacted'
            cand --verbose 'Trace every HTTP exchange on stderr, with secrets redacted'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'mailfino-sf;status'= {
            cand --profile 'Which stored configuration to use'
            cand --config-dir 'Where config.toml (and the file store) live [default: the platform config dir + /mailfino-sf]'
            cand --store 'Where secrets go [default: keyring, falling back to file when no keyring answers]'
            cand --json 'Machine-readable result on stdout; all human text goes to stderr'
            cand --no-color 'No ANSI colour (also off when NO_COLOR is set or the stream is not a terminal)'
            cand -v 'Trace every HTTP exchange on stderr, with secrets redacted'
            cand --verbose 'Trace every HTTP exchange on stderr, with secrets redacted'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'mailfino-sf;export-ci'= {
            cand --format 'Output format'
            cand --wait 'CI''s login: how long to wait for the browser, in seconds'
            cand --profile 'Which stored configuration to use'
            cand --config-dir 'Where config.toml (and the file store) live [default: the platform config dir + /mailfino-sf]'
            cand --store 'Where secrets go [default: keyring, falling back to file when no keyring answers]'
            cand --share-profile-token 'Hand CI the profile''s own refresh token instead of logging in once more for CI''s own (with refresh token rotation, a refresh on either side then spends the other''s token)'
            cand --paste 'CI''s login: read the address-bar URL (or the bare code) from stdin instead of listening'
            cand --no-browser 'CI''s login: print the login URL only; do not open a browser'
            cand --json 'Machine-readable result on stdout; all human text goes to stderr'
            cand --no-color 'No ANSI colour (also off when NO_COLOR is set or the stream is not a terminal)'
            cand -v 'Trace every HTTP exchange on stderr, with secrets redacted'
            cand --verbose 'Trace every HTTP exchange on stderr, with secrets redacted'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'mailfino-sf;emulator'= {
            cand --port 'Port to listen on (0 picks a free one)'
            cand --client-id 'The app''s Consumer Key [default: generated and printed]'
            cand --client-secret 'The app''s Consumer Secret [default: generated and printed]'
            cand --callback 'A registered callback URL (repeat for several)'
            cand --scopes 'The app''s OAuth scopes'
            cand --access-ttl 'Access-token lifetime in seconds'
            cand --fail-token 'The next N token calls answer 503 with an HTML body'
            cand --slow-ms 'Delay every answer by MS milliseconds'
            cand --propagation 'The client id is unknown for the first N calls (as just after an app is saved)'
            cand --pre-login-errors 'How an unknown Consumer Key or unregistered callback is answered, before any login'
            cand --revoke-errors 'How revoke errors are answered'
            cand --org-id 'The org id (another one plays a refreshed sandbox)'
            cand --instance-host 'Serve the instance under this host name, e.g. `localhost` (a moved instance or My Domain)'
            cand --api-usage 'Daily API requests already used, as USED/MAX (e.g. 12500/15000); at MAX every REST call answers REQUEST_LIMIT_EXCEEDED'
            cand --login-as 'Who is logged in on the consent page'
            cand --prior-approvals 'Approvals of the app the integration user made elsewhere before'
            cand --app-name 'The app''s name and label'
            cand --refresh-policy 'The refresh token policy, enforced on refresh and introspection: infinite, zero, inactivity:N{h,d,m} (counted from the last refresh) or lifetime:N{h,d,m} (from the login)'
            cand --ip-policy 'The IP relaxation policy'
            cand --session-timeout 'The app''s session timeout in minutes'
            cand --hide-object 'An object that answers INVALID_TYPE to everyone (repeat for several)'
            cand --fail-path 'Requests whose path starts with PREFIX answer 503 (repeat for several)'
            cand --profile 'Which stored configuration to use'
            cand --config-dir 'Where config.toml (and the file store) live [default: the platform config dir + /mailfino-sf]'
            cand --store 'Where secrets go [default: keyring, falling back to file when no keyring answers]'
            cand --rotate-refresh-tokens 'Rotate refresh tokens on every refresh grant'
            cand --auto-approve 'Skip the login-and-consent page (approve at once)'
            cand --require-pkce 'Require PKCE (the default for a new External Client App)'
            cand --no-require-pkce 'Do not require PKCE'
            cand --api-disabled 'REST calls answer API_DISABLED_FOR_ORG'
            cand --session-locked 'REST calls answer INVALID_SESSION_ID (sessions locked to their IP, API Access Control)'
            cand --user-inactive 'The integration user is deactivated (its refreshes answer `inactive user`)'
            cand --user-frozen 'The integration user is frozen'
            cand --no-permission-set 'The integration user lacks mailfino''s permission set'
            cand --connected-app 'The app is a legacy Connected App instead of an External Client App'
            cand --app-disabled 'The app is disabled'
            cand --admin-approved 'Admin-approved users are pre-authorized (through mailfino''s permission set)'
            cand --json 'Machine-readable result on stdout; all human text goes to stderr'
            cand --no-color 'No ANSI colour (also off when NO_COLOR is set or the stream is not a terminal)'
            cand -v 'Trace every HTTP exchange on stderr, with secrets redacted'
            cand --verbose 'Trace every HTTP exchange on stderr, with secrets redacted'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'mailfino-sf;demo'= {
            cand --profile 'Which stored configuration to use'
            cand --config-dir 'Where config.toml (and the file store) live [default: the platform config dir + /mailfino-sf]'
            cand --store 'Where secrets go [default: keyring, falling back to file when no keyring answers]'
            cand --keep 'Keep the throwaway config dir and print its path'
            cand --json 'Machine-readable result on stdout; all human text goes to stderr'
            cand --no-color 'No ANSI colour (also off when NO_COLOR is set or the stream is not a terminal)'
            cand -v 'Trace every HTTP exchange on stderr, with secrets redacted'
            cand --verbose 'Trace every HTTP exchange on stderr, with secrets redacted'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'mailfino-sf;app'= {
            cand --profile 'Which stored configuration to use'
            cand --config-dir 'Where config.toml (and the file store) live [default: the platform config dir + /mailfino-sf]'
            cand --store 'Where secrets go [default: keyring, falling back to file when no keyring answers]'
            cand --json 'Machine-readable result on stdout; all human text goes to stderr'
            cand --no-color 'No ANSI colour (also off when NO_COLOR is set or the stream is not a terminal)'
            cand -v 'Trace every HTTP exchange on stderr, with secrets redacted'
            cand --verbose 'Trace every HTTP exchange on stderr, with secrets redacted'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand export 'Write the app as a source-format project to deploy with the Salesforce CLI'
            cand check 'Check an exported or retrieved project against what mailfino needs'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'mailfino-sf;app;export'= {
            cand --name 'The app''s API name [default: the profile''s app_name, else mailfino]'
            cand --contact-email 'The e-mail address Salesforce shows as the app''s contact (required)'
            cand --permission-set 'Admin-approved users, pre-authorized through this permission set (API name) [default: all users may self-authorize]'
            cand --refresh-policy 'Refresh token policy: infinite, inactivity:N{h,d,m} or lifetime:N{h,d,m} (h hours, d days, m months)'
            cand --ip-policy 'IP relaxation: enforce, bypass, or relax-refresh (enforce, relaxed for refresh tokens, so mailfino''s refreshes work from any server address)'
            cand --mailfino-url 'The public base URL of a self-hosted mailfino [default: the profile''s callback, else mailfino Cloud]'
            cand --redirect-uri 'This tool''s loopback redirect URI [default: the profile''s, else http://localhost:8717/callback]'
            cand --profile 'Which stored configuration to use'
            cand --config-dir 'Where config.toml (and the file store) live [default: the platform config dir + /mailfino-sf]'
            cand --store 'Where secrets go [default: keyring, falling back to file when no keyring answers]'
            cand --rotation 'Enable refresh token rotation (mailfino then has to store each new refresh token)'
            cand --json 'Machine-readable result on stdout; all human text goes to stderr'
            cand --no-color 'No ANSI colour (also off when NO_COLOR is set or the stream is not a terminal)'
            cand -v 'Trace every HTTP exchange on stderr, with secrets redacted'
            cand --verbose 'Trace every HTTP exchange on stderr, with secrets redacted'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'mailfino-sf;app;check'= {
            cand --name 'Which app to check when the project holds several'
            cand --mailfino-url 'The public base URL of a self-hosted mailfino [default: the profile''s callback, else mailfino Cloud]'
            cand --redirect-uri 'This tool''s loopback redirect URI [default: the profile''s, else http://localhost:8717/callback]'
            cand --profile 'Which stored configuration to use'
            cand --config-dir 'Where config.toml (and the file store) live [default: the platform config dir + /mailfino-sf]'
            cand --store 'Where secrets go [default: keyring, falling back to file when no keyring answers]'
            cand --json 'Machine-readable result on stdout; all human text goes to stderr'
            cand --no-color 'No ANSI colour (also off when NO_COLOR is set or the stream is not a terminal)'
            cand -v 'Trace every HTTP exchange on stderr, with secrets redacted'
            cand --verbose 'Trace every HTTP exchange on stderr, with secrets redacted'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'mailfino-sf;app;help'= {
            cand export 'Write the app as a source-format project to deploy with the Salesforce CLI'
            cand check 'Check an exported or retrieved project against what mailfino needs'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'mailfino-sf;app;help;export'= {
        }
        &'mailfino-sf;app;help;check'= {
        }
        &'mailfino-sf;app;help;help'= {
        }
        &'mailfino-sf;completions'= {
            cand --profile 'Which stored configuration to use'
            cand --config-dir 'Where config.toml (and the file store) live [default: the platform config dir + /mailfino-sf]'
            cand --store 'Where secrets go [default: keyring, falling back to file when no keyring answers]'
            cand --json 'Machine-readable result on stdout; all human text goes to stderr'
            cand --no-color 'No ANSI colour (also off when NO_COLOR is set or the stream is not a terminal)'
            cand -v 'Trace every HTTP exchange on stderr, with secrets redacted'
            cand --verbose 'Trace every HTTP exchange on stderr, with secrets redacted'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'mailfino-sf;help'= {
            cand setup 'Walk the Salesforce Setup checklist, check the app live, and write mailfino''s environment'
            cand login 'Log in with PKCE through a loopback listener and the browser; store the refresh token'
            cand verify 'Check the app, the secret, the scopes and the refresh token; a fix hint for every failure'
            cand audit 'Read the app''s policies and the integration user''s state as an admin; a fix for each risk'
            cand refresh 'Renew the access token with the stored refresh token (a rotated token is saved first)'
            cand logout 'Revoke the refresh token at Salesforce and delete it; the Consumer Secret stays'
            cand status 'Show what is configured: every profile, where its secrets are, the last refresh and verify'
            cand export-ci 'Print the MAILFINO_SF_* variables of the profile for a CI secret store (holds secrets)'
            cand emulator 'Run a local Salesforce OAuth emulator, for trying the tool and for CI'
            cand demo 'The whole journey (setup, login, verify, refresh, logout) against a built-in emulator'
            cand app 'mailfino''s External Client App as metadata: export it to deploy, or check an app''s files'
            cand completions 'Print a shell completion script'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'mailfino-sf;help;setup'= {
        }
        &'mailfino-sf;help;login'= {
        }
        &'mailfino-sf;help;verify'= {
        }
        &'mailfino-sf;help;audit'= {
        }
        &'mailfino-sf;help;refresh'= {
        }
        &'mailfino-sf;help;logout'= {
        }
        &'mailfino-sf;help;status'= {
        }
        &'mailfino-sf;help;export-ci'= {
        }
        &'mailfino-sf;help;emulator'= {
        }
        &'mailfino-sf;help;demo'= {
        }
        &'mailfino-sf;help;app'= {
            cand export 'Write the app as a source-format project to deploy with the Salesforce CLI'
            cand check 'Check an exported or retrieved project against what mailfino needs'
        }
        &'mailfino-sf;help;app;export'= {
        }
        &'mailfino-sf;help;app;check'= {
        }
        &'mailfino-sf;help;completions'= {
        }
        &'mailfino-sf;help;help'= {
        }
    ]
    $completions[$command]
}
