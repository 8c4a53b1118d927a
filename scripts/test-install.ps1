# Tests install.ps1 end to end on Windows (the counterpart of scripts/test-install): serves a
# scripts/dist output from a loopback HTTP server (127.0.0.1 only), installs from it into a temp
# directory, runs the installed `mailfino-sf --version` and `demo`, and proves that a tampered
# checksum is refused with nothing installed. Needs python (the HTTP server).
#
#   ./scripts/test-install.ps1 -Dist target/dist
param([Parameter(Mandatory = $true)][string]$Dist)

Set-StrictMode -Version 3.0
$ErrorActionPreference = 'Stop'
$Root = Split-Path -Parent $PSScriptRoot
$Version = (Select-String -Path (Join-Path $Root 'Cargo.toml') -Pattern '^version = "(.*)"$' | Select-Object -First 1).Matches[0].Groups[1].Value
$Work = Join-Path ([IO.Path]::GetTempPath()) ("mailfino-sf-test-" + [Guid]::NewGuid().ToString('N'))
New-Item -ItemType Directory -Path $Work | Out-Null

function Fail([string]$Message) { throw "scripts/test-install.ps1: FAIL: $Message" }

function Start-Server([string]$Dir, [int]$Port) {
    $p = Start-Process -FilePath python -ArgumentList '-m', 'http.server', "$Port", '--bind', '127.0.0.1', '--directory', $Dir -PassThru -NoNewWindow
    $deadline = (Get-Date).AddSeconds(15)
    while ((Get-Date) -lt $deadline) {
        try { Invoke-WebRequest -Uri "http://127.0.0.1:$Port/SHA256SUMS" -UseBasicParsing -TimeoutSec 2 | Out-Null; return $p } catch { Start-Sleep -Milliseconds 200 }
    }
    Stop-Process -Id $p.Id -Force
    Fail "the HTTP server did not start within 15 s"
}

# Runs install.ps1 in a child PowerShell; returns its exit code.
function Invoke-Installer([string]$Url, [string]$Dir) {
    $env:MAILFINO_SF_INSTALL_URL = $Url
    & pwsh -NoProfile -File (Join-Path $Root 'install.ps1') -InstallDir $Dir -NoModifyPath *>&1 | Out-Host
    $code = $LASTEXITCODE
    Remove-Item Env:MAILFINO_SF_INSTALL_URL
    return $code
}

$server = $null
try {
    $server = Start-Server (Resolve-Path $Dist) 18718
    $dir = Join-Path $Work 'installed'
    if ((Invoke-Installer 'http://127.0.0.1:18718' $dir) -ne 0) { Fail 'install.ps1 failed' }
    $exe = Join-Path $dir 'mailfino-sf.exe'
    if (-not (Test-Path (Join-Path $dir 'completions\_mailfino-sf.ps1'))) { Fail 'no PowerShell completion installed' }
    $got = & $exe --version
    if ($got -ne "mailfino-sf $Version") { Fail "--version said '$got', expected 'mailfino-sf $Version'" }
    $env:MAILFINO_SF_CONFIG_DIR = Join-Path $Work 'config'
    & $exe demo
    if ($LASTEXITCODE -ne 0) { Fail "demo exited $LASTEXITCODE" }
    Remove-Item Env:MAILFINO_SF_CONFIG_DIR
    Stop-Process -Id $server.Id -Force; $server = $null

    $bad = Join-Path $Work 'bad'
    New-Item -ItemType Directory -Path $bad | Out-Null
    Copy-Item (Join-Path $Dist 'mailfino-sf-*') $bad
    Get-Content (Join-Path $Dist 'SHA256SUMS') | ForEach-Object { ($(if ($_[0] -eq '0') { '1' } else { '0' })) + $_.Substring(1) } | Set-Content (Join-Path $bad 'SHA256SUMS')
    $server = Start-Server $bad 18719
    $badDir = Join-Path $Work 'installed-bad'
    if ((Invoke-Installer 'http://127.0.0.1:18719' $badDir) -eq 0) { Fail 'install.ps1 accepted a checksum mismatch' }
    if (Test-Path (Join-Path $badDir 'mailfino-sf.exe')) { Fail 'install.ps1 installed despite the mismatch' }
    Write-Host 'test-install.ps1: 2 passed, 0 failed'
} finally {
    if ($server) { Stop-Process -Id $server.Id -Force -ErrorAction SilentlyContinue }
    Remove-Item -LiteralPath $Work -Recurse -Force -ErrorAction SilentlyContinue
}
