# Installs mailfino-sf on Windows from a release archive, without a Rust toolchain.
#
#   irm https://github.com/mailfino/mailfino-sf/releases/latest/download/install.ps1 | iex
#   .\install.ps1 [-InstallDir DIR] [-Version X.Y.Z] [-Url URL] [-NoModifyPath]
#
# It downloads mailfino-sf-x86_64-pc-windows-gnu.zip (x64; Windows on Arm runs it through its x64
# emulation) with the release's SHA256SUMS, refuses it unless its SHA-256 matches, and installs:
#   DIR\mailfino-sf.exe          (DIR defaults to %LOCALAPPDATA%\Programs\mailfino-sf)
#   DIR\completions\_mailfino-sf.ps1, DIR\man\*.1, README.md and the licences
# and adds DIR to the user's PATH (unless -NoModifyPath). PowerShell completion is one line in
# $PROFILE, which the installer prints rather than edits.
#
# Settings (a parameter wins over its variable):
#   MAILFINO_SF_INSTALL_DIR   -InstallDir
#   MAILFINO_SF_VERSION       -Version   a release such as 0.2.0 (default: the latest)
#   MAILFINO_SF_INSTALL_URL   -Url       the directory holding the archives and SHA256SUMS
#                                        (default: the GitHub release); plain http is accepted
#                                        only from a loopback address
#
# The checksum proves that the archive is the one the release lists; both come from the same
# place, so it is no signature.
param(
    [string]$InstallDir = $env:MAILFINO_SF_INSTALL_DIR,
    [string]$Version = $env:MAILFINO_SF_VERSION,
    [string]$Url = $env:MAILFINO_SF_INSTALL_URL,
    [switch]$NoModifyPath
)

# Everything runs inside a function, so that `irm | iex` leaves the caller's session as it was
# (strict mode, error preference, variables).
function Install-MailfinoSf {
    Set-StrictMode -Version 3.0
    $ErrorActionPreference = 'Stop'
    $ProgressPreference = 'SilentlyContinue'

    $RepoUrl = 'https://github.com/mailfino/mailfino-sf'
    $Target = 'x86_64-pc-windows-gnu'
    $Name = "mailfino-sf-$Target"

    # A failure throws (under `irm | iex`, `exit` would close the user's window); run with -File, the
    # exit code is then 1.
    function Fail([string]$Message) {
        throw "install.ps1: error: $Message"
    }

    if (-not $InstallDir) {
        if (-not $env:LOCALAPPDATA) { Fail 'LOCALAPPDATA is not set: pass -InstallDir DIR' }
        $InstallDir = Join-Path $env:LOCALAPPDATA 'Programs\mailfino-sf'
    }
    $Version = "$Version".TrimStart('v')
    if ($Version -and $Version -notmatch '^\d+\.\d+\.\d+') { Fail "'$Version' is not a version: expected the form 0.2.0" }
    if (-not $Url) {
        if ($Version) { $Url = "$RepoUrl/releases/download/v$Version" } else { $Url = "$RepoUrl/releases/latest/download" }
    }
    $Url = $Url.TrimEnd('/')
    if ($Url -notmatch '^https://' -and $Url -notmatch '^http://(127\.0\.0\.1|localhost|\[::1\])(:\d+)?(/|$)') {
        Fail "refusing the download URL '$Url': it must start with https:// (plain http only from 127.0.0.1, localhost or [::1])"
    }

    # TLS 1.2 for Windows PowerShell 5.1, whose default may be older.
    [Net.ServicePointManager]::SecurityProtocol = [Net.ServicePointManager]::SecurityProtocol -bor [Net.SecurityProtocolType]::Tls12

    $Tmp = Join-Path ([IO.Path]::GetTempPath()) ("mailfino-sf-install-" + [Guid]::NewGuid().ToString('N'))
    New-Item -ItemType Directory -Path $Tmp | Out-Null
    try {
        $Zip = Join-Path $Tmp "$Name.zip"
        $Sums = Join-Path $Tmp 'SHA256SUMS'
        Write-Host "install.ps1: downloading $Url/$Name.zip"
        try {
            Invoke-WebRequest -Uri "$Url/SHA256SUMS" -OutFile $Sums -UseBasicParsing -TimeoutSec 300
            Invoke-WebRequest -Uri "$Url/$Name.zip" -OutFile $Zip -UseBasicParsing -TimeoutSec 300
        } catch {
            Fail "could not download from ${Url}: $($_.Exception.Message)"
        }

        $Want = $null
        foreach ($Line in Get-Content -LiteralPath $Sums) {
            $Fields = $Line -split '\s+', 2
            if ($Fields.Count -eq 2 -and $Fields[1].TrimStart('*') -eq "$Name.zip") { $Want = $Fields[0].ToLowerInvariant(); break }
        }
        if (-not $Want) { Fail "SHA256SUMS lists no checksum for $Name.zip" }
        $Got = (Get-FileHash -Algorithm SHA256 -LiteralPath $Zip).Hash.ToLowerInvariant()
        if ($Got -ne $Want) { Fail "checksum mismatch for ${Name}.zip: expected $Want, got $Got (nothing was installed)" }
        Write-Host 'install.ps1: checksum ok'

        $Unpacked = Join-Path $Tmp 'unpacked'
        Expand-Archive -LiteralPath $Zip -DestinationPath $Unpacked
        $Src = Join-Path $Unpacked $Name
        $Exe = Join-Path $Src 'mailfino-sf.exe'
        if (-not (Test-Path -LiteralPath $Exe)) { Fail "$Name.zip holds no mailfino-sf.exe" }
        & $Exe --version | Out-Null
        if ($LASTEXITCODE -ne 0) { Fail 'the downloaded mailfino-sf.exe does not run on this machine' }

        New-Item -ItemType Directory -Force -Path $InstallDir | Out-Null
        # Copy next to the old binary, then rename over it: a running copy is never half-written.
        $Dest = Join-Path $InstallDir 'mailfino-sf.exe'
        Copy-Item -LiteralPath $Exe -Destination "$Dest.new" -Force
        Move-Item -LiteralPath "$Dest.new" -Destination $Dest -Force
        foreach ($Item in 'README.md', 'LICENSE-MIT', 'LICENSE-APACHE', 'completions', 'man') {
            Copy-Item -LiteralPath (Join-Path $Src $Item) -Destination $InstallDir -Recurse -Force
        }
    } finally {
        Remove-Item -LiteralPath $Tmp -Recurse -Force -ErrorAction SilentlyContinue
    }

    $Installed = & $Dest --version
    Write-Host "install.ps1: installed $Installed to $Dest"

    $UserPath = [Environment]::GetEnvironmentVariable('Path', 'User')
    $OnPath = @("$UserPath".Split(';') | Where-Object { $_.TrimEnd('\') -eq $InstallDir.TrimEnd('\') }).Count -gt 0
    if (-not $OnPath) {
        if ($NoModifyPath) {
            Write-Host "install.ps1: $InstallDir is not on your PATH"
        } else {
            $NewPath = if ($UserPath) { "$UserPath;$InstallDir" } else { $InstallDir }
            [Environment]::SetEnvironmentVariable('Path', $NewPath, 'User')
            Write-Host "install.ps1: added $InstallDir to your user PATH (open a new terminal to use it)"
        }
    }
    $Completion = Join-Path $InstallDir 'completions\_mailfino-sf.ps1'
    Write-Host "install.ps1: for tab completion in PowerShell, add this line to your `$PROFILE:"
    Write-Host "  . '$Completion'"
    Write-Host 'install.ps1: next: mailfino-sf demo   (a 10-second tour against a local emulator)'
}

Install-MailfinoSf
