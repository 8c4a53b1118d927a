# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_mailfino_sf_global_optspecs
    string join \n profile= config-dir= store= json no-color v/verbose h/help V/version
end

function __fish_mailfino_sf_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_mailfino_sf_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_mailfino_sf_using_subcommand
    set -l cmd (__fish_mailfino_sf_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c mailfino-sf -n "__fish_mailfino_sf_needs_command" -l profile -d 'Which stored configuration to use' -r -f -a "(mailfino-sf __complete-profiles 2>/dev/null)"
complete -c mailfino-sf -n "__fish_mailfino_sf_needs_command" -l config-dir -d 'Where config.toml (and the file store) live [default: the platform config dir + /mailfino-sf]' -r -f -a "(__fish_complete_directories)"
complete -c mailfino-sf -n "__fish_mailfino_sf_needs_command" -l store -d 'Where secrets go [default: keyring, falling back to file when no keyring answers]' -r -f -a "keyring\t'The OS keyring (Secret Service on Linux, Keychain on macOS, Credential Manager on Windows)'
file\t'credentials.toml in the config dir, mode 0600'"
complete -c mailfino-sf -n "__fish_mailfino_sf_needs_command" -l json -d 'Machine-readable result on stdout; all human text goes to stderr'
complete -c mailfino-sf -n "__fish_mailfino_sf_needs_command" -l no-color -d 'No ANSI colour (also off when NO_COLOR is set or the stream is not a terminal)'
complete -c mailfino-sf -n "__fish_mailfino_sf_needs_command" -s v -l verbose -d 'Trace every HTTP exchange on stderr, with secrets redacted'
complete -c mailfino-sf -n "__fish_mailfino_sf_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mailfino-sf -n "__fish_mailfino_sf_needs_command" -s V -l version -d 'Print version'
complete -c mailfino-sf -n "__fish_mailfino_sf_needs_command" -f -a "setup" -d 'Walk the Salesforce Setup checklist, check the app live, and write mailfino\'s environment'
complete -c mailfino-sf -n "__fish_mailfino_sf_needs_command" -f -a "login" -d 'Log in with PKCE through a loopback listener and the browser; store the refresh token'
complete -c mailfino-sf -n "__fish_mailfino_sf_needs_command" -f -a "verify" -d 'Check the app, the secret, the scopes and the refresh token; a fix hint for every failure'
complete -c mailfino-sf -n "__fish_mailfino_sf_needs_command" -f -a "audit" -d 'Read the app\'s policies and the integration user\'s state as an admin; a fix for each risk'
complete -c mailfino-sf -n "__fish_mailfino_sf_needs_command" -f -a "refresh" -d 'Renew the access token with the stored refresh token (a rotated token is saved first)'
complete -c mailfino-sf -n "__fish_mailfino_sf_needs_command" -f -a "logout" -d 'Revoke the refresh token at Salesforce and delete it; the Consumer Secret stays'
complete -c mailfino-sf -n "__fish_mailfino_sf_needs_command" -f -a "status" -d 'Show what is configured: every profile, where its secrets are, the last refresh and verify'
complete -c mailfino-sf -n "__fish_mailfino_sf_needs_command" -f -a "export-ci" -d 'Print the MAILFINO_SF_* variables of the profile for a CI secret store (holds secrets)'
complete -c mailfino-sf -n "__fish_mailfino_sf_needs_command" -f -a "emulator" -d 'Run a local Salesforce OAuth emulator, for trying the tool and for CI'
complete -c mailfino-sf -n "__fish_mailfino_sf_needs_command" -f -a "demo" -d 'The whole journey (setup, login, verify, refresh, logout) against a built-in emulator'
complete -c mailfino-sf -n "__fish_mailfino_sf_needs_command" -f -a "app" -d 'mailfino\'s External Client App as metadata: export it to deploy, or check an app\'s files'
complete -c mailfino-sf -n "__fish_mailfino_sf_needs_command" -f -a "completions" -d 'Print a shell completion script'
complete -c mailfino-sf -n "__fish_mailfino_sf_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand setup" -l login-url -d 'Salesforce login URL: https://login.salesforce.com, https://test.salesforce.com or https://NAME.my.salesforce.com' -r -f
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand setup" -l client-id -d 'The app\'s Consumer Key' -r
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand setup" -l mailfino-url -d 'The public base URL of a self-hosted mailfino (absent: mailfino Cloud)' -r -f
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand setup" -l redirect-uri -d 'This tool\'s loopback redirect URI [default: http://localhost:8717/callback]' -r -f
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand setup" -l env-file -d 'Merge mailfino\'s server environment (MAILFINO_SALESFORCE_*) into this file (owner and mode kept, symlinks followed, timestamped backups)' -r -F
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand setup" -l retry-for -d 'Keep re-checking for up to SECS (at most 1800) while Salesforce does not know the new app yet' -r
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand setup" -l profile -d 'Which stored configuration to use' -r -f -a "(mailfino-sf __complete-profiles 2>/dev/null)"
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand setup" -l config-dir -d 'Where config.toml (and the file store) live [default: the platform config dir + /mailfino-sf]' -r -f -a "(__fish_complete_directories)"
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand setup" -l store -d 'Where secrets go [default: keyring, falling back to file when no keyring answers]' -r -f -a "keyring\t'The OS keyring (Secret Service on Linux, Keychain on macOS, Credential Manager on Windows)'
file\t'credentials.toml in the config dir, mode 0600'"
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand setup" -l non-interactive -d 'Never prompt; take every value from flags or the environment'
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand setup" -l client-secret-stdin -d 'Read the Consumer Secret from stdin (or set MAILFINO_SF_CLIENT_SECRET)'
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand setup" -l print-env -d 'Print mailfino\'s server environment lines to stdout (they contain the secret)'
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand setup" -l login -d 'Run the login at the end'
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand setup" -l no-check -d 'Save without checking the app against Salesforce'
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand setup" -l json -d 'Machine-readable result on stdout; all human text goes to stderr'
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand setup" -l no-color -d 'No ANSI colour (also off when NO_COLOR is set or the stream is not a terminal)'
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand setup" -s v -l verbose -d 'Trace every HTTP exchange on stderr, with secrets redacted'
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand setup" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand login" -l redirect-uri -d 'The loopback redirect URI registered on the app' -r -f
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand login" -l wait -d 'How long to wait for the browser, in seconds' -r
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand login" -l scope -d 'Scopes to request, e.g. "api refresh_token" [default: none sent, so the app\'s scopes are granted and a missing one can be named]' -r
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand login" -l profile -d 'Which stored configuration to use' -r -f -a "(mailfino-sf __complete-profiles 2>/dev/null)"
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand login" -l config-dir -d 'Where config.toml (and the file store) live [default: the platform config dir + /mailfino-sf]' -r -f -a "(__fish_complete_directories)"
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand login" -l store -d 'Where secrets go [default: keyring, falling back to file when no keyring answers]' -r -f -a "keyring\t'The OS keyring (Secret Service on Linux, Keychain on macOS, Credential Manager on Windows)'
file\t'credentials.toml in the config dir, mode 0600'"
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand login" -l no-browser -d 'Print the login URL only; do not open a browser'
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand login" -l paste -d 'Read the address-bar URL (or the bare code) from stdin instead of listening'
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand login" -l json -d 'Machine-readable result on stdout; all human text goes to stderr'
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand login" -l no-color -d 'No ANSI colour (also off when NO_COLOR is set or the stream is not a terminal)'
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand login" -s v -l verbose -d 'Trace every HTTP exchange on stderr, with secrets redacted'
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand login" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand verify" -l rotated-token-out -d 'Where a rotated refresh token goes when the old one came from the environment (0600)' -r -F
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand verify" -l env-file -d 'mailfino\'s env file to check (else the one setup recorded). Without a profile, its MAILFINO_SALESFORCE_* values are checked live, e.g. on mailfino\'s own server' -r -F
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand verify" -l profile -d 'Which stored configuration to use' -r -f -a "(mailfino-sf __complete-profiles 2>/dev/null)"
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand verify" -l config-dir -d 'Where config.toml (and the file store) live [default: the platform config dir + /mailfino-sf]' -r -f -a "(__fish_complete_directories)"
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand verify" -l store -d 'Where secrets go [default: keyring, falling back to file when no keyring answers]' -r -f -a "keyring\t'The OS keyring (Secret Service on Linux, Keychain on macOS, Credential Manager on Windows)'
file\t'credentials.toml in the config dir, mode 0600'"
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand verify" -l renew -d 'In env-only mode, prove renewal with a real refresh grant (may rotate the token)'
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand verify" -l json -d 'Machine-readable result on stdout; all human text goes to stderr'
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand verify" -l no-color -d 'No ANSI colour (also off when NO_COLOR is set or the stream is not a terminal)'
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand verify" -s v -l verbose -d 'Trace every HTTP exchange on stderr, with secrets redacted'
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand verify" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand audit" -l redirect-uri -d 'The loopback redirect URI registered on the app' -r -f
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand audit" -l wait -d 'How long to wait for the browser, in seconds' -r
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand audit" -l scope -d 'Scopes to request, e.g. "api refresh_token" [default: none sent, so the app\'s scopes are granted and a missing one can be named]' -r
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand audit" -l profile -d 'Which stored configuration to use' -r -f -a "(mailfino-sf __complete-profiles 2>/dev/null)"
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand audit" -l config-dir -d 'Where config.toml (and the file store) live [default: the platform config dir + /mailfino-sf]' -r -f -a "(__fish_complete_directories)"
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand audit" -l store -d 'Where secrets go [default: keyring, falling back to file when no keyring answers]' -r -f -a "keyring\t'The OS keyring (Secret Service on Linux, Keychain on macOS, Credential Manager on Windows)'
file\t'credentials.toml in the config dir, mode 0600'"
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand audit" -l no-browser -d 'Print the login URL only; do not open a browser'
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand audit" -l paste -d 'Read the address-bar URL (or the bare code) from stdin instead of listening'
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand audit" -l keep-admin-token -d 'Keep the admin\'s refresh token in the profile\'s secrets (later audits reuse it without a browser) instead of revoking it'
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand audit" -l json -d 'Machine-readable result on stdout; all human text goes to stderr'
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand audit" -l no-color -d 'No ANSI colour (also off when NO_COLOR is set or the stream is not a terminal)'
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand audit" -s v -l verbose -d 'Trace every HTTP exchange on stderr, with secrets redacted'
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand audit" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand refresh" -l rotated-token-out -d 'Where a rotated refresh token goes when the old one came from the environment (0600)' -r -F
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand refresh" -l profile -d 'Which stored configuration to use' -r -f -a "(mailfino-sf __complete-profiles 2>/dev/null)"
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand refresh" -l config-dir -d 'Where config.toml (and the file store) live [default: the platform config dir + /mailfino-sf]' -r -f -a "(__fish_complete_directories)"
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand refresh" -l store -d 'Where secrets go [default: keyring, falling back to file when no keyring answers]' -r -f -a "keyring\t'The OS keyring (Secret Service on Linux, Keychain on macOS, Credential Manager on Windows)'
file\t'credentials.toml in the config dir, mode 0600'"
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand refresh" -l show-token -d 'Print the access token alone on stdout (for `$(...)`)'
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand refresh" -l json -d 'Machine-readable result on stdout; all human text goes to stderr'
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand refresh" -l no-color -d 'No ANSI colour (also off when NO_COLOR is set or the stream is not a terminal)'
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand refresh" -s v -l verbose -d 'Trace every HTTP exchange on stderr, with secrets redacted'
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand refresh" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand logout" -l profile -d 'Which stored configuration to use' -r -f -a "(mailfino-sf __complete-profiles 2>/dev/null)"
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand logout" -l config-dir -d 'Where config.toml (and the file store) live [default: the platform config dir + /mailfino-sf]' -r -f -a "(__fish_complete_directories)"
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand logout" -l store -d 'Where secrets go [default: keyring, falling back to file when no keyring answers]' -r -f -a "keyring\t'The OS keyring (Secret Service on Linux, Keychain on macOS, Credential Manager on Windows)'
file\t'credentials.toml in the config dir, mode 0600'"
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand logout" -l local-only -d 'Do not revoke at Salesforce; only delete the local refresh token (and a kept admin token)'
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand logout" -l forget-secret -d 'Also delete the Consumer Secret (asks first on a terminal)'
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand logout" -l json -d 'Machine-readable result on stdout; all human text goes to stderr'
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand logout" -l no-color -d 'No ANSI colour (also off when NO_COLOR is set or the stream is not a terminal)'
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand logout" -s v -l verbose -d 'Trace every HTTP exchange on stderr, with secrets redacted'
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand logout" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand status" -l profile -d 'Which stored configuration to use' -r -f -a "(mailfino-sf __complete-profiles 2>/dev/null)"
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand status" -l config-dir -d 'Where config.toml (and the file store) live [default: the platform config dir + /mailfino-sf]' -r -f -a "(__fish_complete_directories)"
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand status" -l store -d 'Where secrets go [default: keyring, falling back to file when no keyring answers]' -r -f -a "keyring\t'The OS keyring (Secret Service on Linux, Keychain on macOS, Credential Manager on Windows)'
file\t'credentials.toml in the config dir, mode 0600'"
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand status" -l json -d 'Machine-readable result on stdout; all human text goes to stderr'
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand status" -l no-color -d 'No ANSI colour (also off when NO_COLOR is set or the stream is not a terminal)'
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand status" -s v -l verbose -d 'Trace every HTTP exchange on stderr, with secrets redacted'
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand status" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand export-ci" -l format -d 'Output format' -r -f -a "env\t'NAME=\'value\' lines (shell and dotenv)'
json\t'One JSON object'
github\t'Dotenv lines for `gh secret set -f -`, with the workflow env block as comments'"
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand export-ci" -l wait -d 'CI\'s login: how long to wait for the browser, in seconds' -r
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand export-ci" -l profile -d 'Which stored configuration to use' -r -f -a "(mailfino-sf __complete-profiles 2>/dev/null)"
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand export-ci" -l config-dir -d 'Where config.toml (and the file store) live [default: the platform config dir + /mailfino-sf]' -r -f -a "(__fish_complete_directories)"
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand export-ci" -l store -d 'Where secrets go [default: keyring, falling back to file when no keyring answers]' -r -f -a "keyring\t'The OS keyring (Secret Service on Linux, Keychain on macOS, Credential Manager on Windows)'
file\t'credentials.toml in the config dir, mode 0600'"
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand export-ci" -l share-profile-token -d 'Hand CI the profile\'s own refresh token instead of logging in once more for CI\'s own (with refresh token rotation, a refresh on either side then spends the other\'s token)'
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand export-ci" -l paste -d 'CI\'s login: read the address-bar URL (or the bare code) from stdin instead of listening'
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand export-ci" -l no-browser -d 'CI\'s login: print the login URL only; do not open a browser'
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand export-ci" -l json -d 'Machine-readable result on stdout; all human text goes to stderr'
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand export-ci" -l no-color -d 'No ANSI colour (also off when NO_COLOR is set or the stream is not a terminal)'
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand export-ci" -s v -l verbose -d 'Trace every HTTP exchange on stderr, with secrets redacted'
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand export-ci" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand emulator" -l port -d 'Port to listen on (0 picks a free one)' -r
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand emulator" -l client-id -d 'The app\'s Consumer Key [default: generated and printed]' -r
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand emulator" -l client-secret -d 'The app\'s Consumer Secret [default: generated and printed]' -r
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand emulator" -l callback -d 'A registered callback URL (repeat for several)' -r -f
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand emulator" -l scopes -d 'The app\'s OAuth scopes' -r
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand emulator" -l access-ttl -d 'Access-token lifetime in seconds' -r
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand emulator" -l fail-token -d 'The next N token calls answer 503 with an HTML body' -r
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand emulator" -l slow-ms -d 'Delay every answer by MS milliseconds' -r
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand emulator" -l propagation -d 'The client id is unknown for the first N calls (as just after an app is saved)' -r
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand emulator" -l pre-login-errors -d 'How an unknown Consumer Key or unregistered callback is answered, before any login' -r -f -a "text\t'HTTP 400 text/plain `error=…&error_description=…`, as reported from real orgs'
page\t'A redirect to Salesforce\'s RemoteAccessErrorPage.apexp?error=…'"
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand emulator" -l revoke-errors -d 'How revoke errors are answered' -r -f -a "form\t'HTTP 400 form-encoded `error=…&error_description=…`, as reported from real orgs'
json\t'HTTP 400 JSON `{"error","error_description"}`'"
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand emulator" -l org-id -d 'The org id (another one plays a refreshed sandbox)' -r
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand emulator" -l instance-host -d 'Serve the instance under this host name, e.g. `localhost` (a moved instance or My Domain)' -r
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand emulator" -l api-usage -d 'Daily API requests already used, as USED/MAX (e.g. 12500/15000); at MAX every REST call answers REQUEST_LIMIT_EXCEEDED' -r
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand emulator" -l login-as -d 'Who is logged in on the consent page' -r -f -a "integration\t'mailfino\'s integration user'
admin\t'A System Administrator'"
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand emulator" -l prior-approvals -d 'Approvals of the app the integration user made elsewhere before' -r
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand emulator" -l app-name -d 'The app\'s name and label' -r
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand emulator" -l refresh-policy -d 'The refresh token policy, enforced on refresh and introspection: infinite, zero, inactivity:N{h,d,m} (counted from the last refresh) or lifetime:N{h,d,m} (from the login)' -r
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand emulator" -l ip-policy -d 'The IP relaxation policy' -r -f -a "Enforce\t''
Bypass\t''
Bypass_2factor\t''
Enforce_RelaxRefresh\t''"
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand emulator" -l session-timeout -d 'The app\'s session timeout in minutes' -r
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand emulator" -l hide-object -d 'An object that answers INVALID_TYPE to everyone (repeat for several)' -r
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand emulator" -l fail-path -d 'Requests whose path starts with PREFIX answer 503 (repeat for several)' -r
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand emulator" -l profile -d 'Which stored configuration to use' -r -f -a "(mailfino-sf __complete-profiles 2>/dev/null)"
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand emulator" -l config-dir -d 'Where config.toml (and the file store) live [default: the platform config dir + /mailfino-sf]' -r -f -a "(__fish_complete_directories)"
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand emulator" -l store -d 'Where secrets go [default: keyring, falling back to file when no keyring answers]' -r -f -a "keyring\t'The OS keyring (Secret Service on Linux, Keychain on macOS, Credential Manager on Windows)'
file\t'credentials.toml in the config dir, mode 0600'"
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand emulator" -l rotate-refresh-tokens -d 'Rotate refresh tokens on every refresh grant'
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand emulator" -l auto-approve -d 'Skip the login-and-consent page (approve at once)'
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand emulator" -l require-pkce -d 'Require PKCE (the default for a new External Client App)'
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand emulator" -l no-require-pkce -d 'Do not require PKCE'
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand emulator" -l api-disabled -d 'REST calls answer API_DISABLED_FOR_ORG'
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand emulator" -l session-locked -d 'REST calls answer INVALID_SESSION_ID (sessions locked to their IP, API Access Control)'
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand emulator" -l user-inactive -d 'The integration user is deactivated (its refreshes answer `inactive user`)'
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand emulator" -l user-frozen -d 'The integration user is frozen'
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand emulator" -l no-permission-set -d 'The integration user lacks mailfino\'s permission set'
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand emulator" -l connected-app -d 'The app is a legacy Connected App instead of an External Client App'
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand emulator" -l app-disabled -d 'The app is disabled'
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand emulator" -l admin-approved -d 'Admin-approved users are pre-authorized (through mailfino\'s permission set)'
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand emulator" -l json -d 'Machine-readable result on stdout; all human text goes to stderr'
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand emulator" -l no-color -d 'No ANSI colour (also off when NO_COLOR is set or the stream is not a terminal)'
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand emulator" -s v -l verbose -d 'Trace every HTTP exchange on stderr, with secrets redacted'
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand emulator" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand demo" -l profile -d 'Which stored configuration to use' -r -f -a "(mailfino-sf __complete-profiles 2>/dev/null)"
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand demo" -l config-dir -d 'Where config.toml (and the file store) live [default: the platform config dir + /mailfino-sf]' -r -f -a "(__fish_complete_directories)"
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand demo" -l store -d 'Where secrets go [default: keyring, falling back to file when no keyring answers]' -r -f -a "keyring\t'The OS keyring (Secret Service on Linux, Keychain on macOS, Credential Manager on Windows)'
file\t'credentials.toml in the config dir, mode 0600'"
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand demo" -l keep -d 'Keep the throwaway config dir and print its path'
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand demo" -l json -d 'Machine-readable result on stdout; all human text goes to stderr'
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand demo" -l no-color -d 'No ANSI colour (also off when NO_COLOR is set or the stream is not a terminal)'
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand demo" -s v -l verbose -d 'Trace every HTTP exchange on stderr, with secrets redacted'
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand demo" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand app; and not __fish_seen_subcommand_from export check help" -l profile -d 'Which stored configuration to use' -r -f -a "(mailfino-sf __complete-profiles 2>/dev/null)"
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand app; and not __fish_seen_subcommand_from export check help" -l config-dir -d 'Where config.toml (and the file store) live [default: the platform config dir + /mailfino-sf]' -r -f -a "(__fish_complete_directories)"
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand app; and not __fish_seen_subcommand_from export check help" -l store -d 'Where secrets go [default: keyring, falling back to file when no keyring answers]' -r -f -a "keyring\t'The OS keyring (Secret Service on Linux, Keychain on macOS, Credential Manager on Windows)'
file\t'credentials.toml in the config dir, mode 0600'"
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand app; and not __fish_seen_subcommand_from export check help" -l json -d 'Machine-readable result on stdout; all human text goes to stderr'
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand app; and not __fish_seen_subcommand_from export check help" -l no-color -d 'No ANSI colour (also off when NO_COLOR is set or the stream is not a terminal)'
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand app; and not __fish_seen_subcommand_from export check help" -s v -l verbose -d 'Trace every HTTP exchange on stderr, with secrets redacted'
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand app; and not __fish_seen_subcommand_from export check help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand app; and not __fish_seen_subcommand_from export check help" -f -a "export" -d 'Write the app as a source-format project to deploy with the Salesforce CLI'
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand app; and not __fish_seen_subcommand_from export check help" -f -a "check" -d 'Check an exported or retrieved project against what mailfino needs'
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand app; and not __fish_seen_subcommand_from export check help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand app; and __fish_seen_subcommand_from export" -l name -d 'The app\'s API name [default: the profile\'s app_name, else mailfino]' -r
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand app; and __fish_seen_subcommand_from export" -l contact-email -d 'The e-mail address Salesforce shows as the app\'s contact (required)' -r
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand app; and __fish_seen_subcommand_from export" -l permission-set -d 'Admin-approved users, pre-authorized through this permission set (API name) [default: all users may self-authorize]' -r
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand app; and __fish_seen_subcommand_from export" -l refresh-policy -d 'Refresh token policy: infinite, inactivity:N{h,d,m} or lifetime:N{h,d,m} (h hours, d days, m months)' -r
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand app; and __fish_seen_subcommand_from export" -l ip-policy -d 'IP relaxation: enforce, bypass, or relax-refresh (enforce, relaxed for refresh tokens, so mailfino\'s refreshes work from any server address)' -r -f -a "enforce\t'Enforce IP restrictions (mailfino\'s server must be in the integration user\'s ranges)'
bypass\t'Relax IP restrictions'
relax-refresh\t'Enforce, but relax them for refresh tokens (mailfino\'s refreshes work from any address)'"
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand app; and __fish_seen_subcommand_from export" -l mailfino-url -d 'The public base URL of a self-hosted mailfino [default: the profile\'s callback, else mailfino Cloud]' -r
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand app; and __fish_seen_subcommand_from export" -l redirect-uri -d 'This tool\'s loopback redirect URI [default: the profile\'s, else http://localhost:8717/callback]' -r
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand app; and __fish_seen_subcommand_from export" -l profile -d 'Which stored configuration to use' -r -f -a "(mailfino-sf __complete-profiles 2>/dev/null)"
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand app; and __fish_seen_subcommand_from export" -l config-dir -d 'Where config.toml (and the file store) live [default: the platform config dir + /mailfino-sf]' -r -f -a "(__fish_complete_directories)"
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand app; and __fish_seen_subcommand_from export" -l store -d 'Where secrets go [default: keyring, falling back to file when no keyring answers]' -r -f -a "keyring\t'The OS keyring (Secret Service on Linux, Keychain on macOS, Credential Manager on Windows)'
file\t'credentials.toml in the config dir, mode 0600'"
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand app; and __fish_seen_subcommand_from export" -l rotation -d 'Enable refresh token rotation (mailfino then has to store each new refresh token)'
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand app; and __fish_seen_subcommand_from export" -l json -d 'Machine-readable result on stdout; all human text goes to stderr'
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand app; and __fish_seen_subcommand_from export" -l no-color -d 'No ANSI colour (also off when NO_COLOR is set or the stream is not a terminal)'
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand app; and __fish_seen_subcommand_from export" -s v -l verbose -d 'Trace every HTTP exchange on stderr, with secrets redacted'
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand app; and __fish_seen_subcommand_from export" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand app; and __fish_seen_subcommand_from check" -l name -d 'Which app to check when the project holds several' -r
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand app; and __fish_seen_subcommand_from check" -l mailfino-url -d 'The public base URL of a self-hosted mailfino [default: the profile\'s callback, else mailfino Cloud]' -r
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand app; and __fish_seen_subcommand_from check" -l redirect-uri -d 'This tool\'s loopback redirect URI [default: the profile\'s, else http://localhost:8717/callback]' -r
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand app; and __fish_seen_subcommand_from check" -l profile -d 'Which stored configuration to use' -r -f -a "(mailfino-sf __complete-profiles 2>/dev/null)"
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand app; and __fish_seen_subcommand_from check" -l config-dir -d 'Where config.toml (and the file store) live [default: the platform config dir + /mailfino-sf]' -r -f -a "(__fish_complete_directories)"
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand app; and __fish_seen_subcommand_from check" -l store -d 'Where secrets go [default: keyring, falling back to file when no keyring answers]' -r -f -a "keyring\t'The OS keyring (Secret Service on Linux, Keychain on macOS, Credential Manager on Windows)'
file\t'credentials.toml in the config dir, mode 0600'"
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand app; and __fish_seen_subcommand_from check" -l json -d 'Machine-readable result on stdout; all human text goes to stderr'
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand app; and __fish_seen_subcommand_from check" -l no-color -d 'No ANSI colour (also off when NO_COLOR is set or the stream is not a terminal)'
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand app; and __fish_seen_subcommand_from check" -s v -l verbose -d 'Trace every HTTP exchange on stderr, with secrets redacted'
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand app; and __fish_seen_subcommand_from check" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand app; and __fish_seen_subcommand_from help" -f -a "export" -d 'Write the app as a source-format project to deploy with the Salesforce CLI'
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand app; and __fish_seen_subcommand_from help" -f -a "check" -d 'Check an exported or retrieved project against what mailfino needs'
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand app; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand completions" -l profile -d 'Which stored configuration to use' -r -f -a "(mailfino-sf __complete-profiles 2>/dev/null)"
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand completions" -l config-dir -d 'Where config.toml (and the file store) live [default: the platform config dir + /mailfino-sf]' -r -f -a "(__fish_complete_directories)"
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand completions" -l store -d 'Where secrets go [default: keyring, falling back to file when no keyring answers]' -r -f -a "keyring\t'The OS keyring (Secret Service on Linux, Keychain on macOS, Credential Manager on Windows)'
file\t'credentials.toml in the config dir, mode 0600'"
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand completions" -l json -d 'Machine-readable result on stdout; all human text goes to stderr'
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand completions" -l no-color -d 'No ANSI colour (also off when NO_COLOR is set or the stream is not a terminal)'
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand completions" -s v -l verbose -d 'Trace every HTTP exchange on stderr, with secrets redacted'
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand completions" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand help; and not __fish_seen_subcommand_from setup login verify audit refresh logout status export-ci emulator demo app completions help" -f -a "setup" -d 'Walk the Salesforce Setup checklist, check the app live, and write mailfino\'s environment'
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand help; and not __fish_seen_subcommand_from setup login verify audit refresh logout status export-ci emulator demo app completions help" -f -a "login" -d 'Log in with PKCE through a loopback listener and the browser; store the refresh token'
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand help; and not __fish_seen_subcommand_from setup login verify audit refresh logout status export-ci emulator demo app completions help" -f -a "verify" -d 'Check the app, the secret, the scopes and the refresh token; a fix hint for every failure'
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand help; and not __fish_seen_subcommand_from setup login verify audit refresh logout status export-ci emulator demo app completions help" -f -a "audit" -d 'Read the app\'s policies and the integration user\'s state as an admin; a fix for each risk'
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand help; and not __fish_seen_subcommand_from setup login verify audit refresh logout status export-ci emulator demo app completions help" -f -a "refresh" -d 'Renew the access token with the stored refresh token (a rotated token is saved first)'
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand help; and not __fish_seen_subcommand_from setup login verify audit refresh logout status export-ci emulator demo app completions help" -f -a "logout" -d 'Revoke the refresh token at Salesforce and delete it; the Consumer Secret stays'
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand help; and not __fish_seen_subcommand_from setup login verify audit refresh logout status export-ci emulator demo app completions help" -f -a "status" -d 'Show what is configured: every profile, where its secrets are, the last refresh and verify'
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand help; and not __fish_seen_subcommand_from setup login verify audit refresh logout status export-ci emulator demo app completions help" -f -a "export-ci" -d 'Print the MAILFINO_SF_* variables of the profile for a CI secret store (holds secrets)'
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand help; and not __fish_seen_subcommand_from setup login verify audit refresh logout status export-ci emulator demo app completions help" -f -a "emulator" -d 'Run a local Salesforce OAuth emulator, for trying the tool and for CI'
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand help; and not __fish_seen_subcommand_from setup login verify audit refresh logout status export-ci emulator demo app completions help" -f -a "demo" -d 'The whole journey (setup, login, verify, refresh, logout) against a built-in emulator'
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand help; and not __fish_seen_subcommand_from setup login verify audit refresh logout status export-ci emulator demo app completions help" -f -a "app" -d 'mailfino\'s External Client App as metadata: export it to deploy, or check an app\'s files'
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand help; and not __fish_seen_subcommand_from setup login verify audit refresh logout status export-ci emulator demo app completions help" -f -a "completions" -d 'Print a shell completion script'
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand help; and not __fish_seen_subcommand_from setup login verify audit refresh logout status export-ci emulator demo app completions help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand help; and __fish_seen_subcommand_from app" -f -a "export" -d 'Write the app as a source-format project to deploy with the Salesforce CLI'
complete -c mailfino-sf -n "__fish_mailfino_sf_using_subcommand help; and __fish_seen_subcommand_from app" -f -a "check" -d 'Check an exported or retrieved project against what mailfino needs'
