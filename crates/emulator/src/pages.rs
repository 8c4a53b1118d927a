//! The emulator's HTML pages: the login-and-consent page, Salesforce's error page, 404, 503.

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&#39;")
}

fn page(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>{}</title>\
         <style>body{{font-family:sans-serif;max-width:34em;margin:3em auto;color:#181818}}\
         button{{font-size:1em;padding:.5em 1.5em;margin-right:1em}}</style></head><body>{body}</body></html>",
        escape(title)
    )
}

/// The login-and-consent page with Allow / Deny, logged in as `user` (the form may name another).
pub fn consent_page(id: &str, scopes: &str, user: &str) -> String {
    page(
        "Login | Salesforce (emulator)",
        &format!(
            "<h1>Salesforce emulator</h1>\
             <p>Logged in as <b>{user}</b>.</p>\
             <p>mailfino wants to access your Salesforce data: <code>{scopes}</code></p>\
             <form method=\"POST\" action=\"/services/oauth2/authorize/decision\">\
             <input type=\"hidden\" name=\"id\" value=\"{id}\">\
             <input type=\"hidden\" name=\"username\" value=\"{user}\">\
             <button id=\"oaapprove\" type=\"submit\" name=\"action\" value=\"allow\">Allow</button>\
             <button id=\"oadeny\" type=\"submit\" name=\"action\" value=\"deny\">Deny</button>\
             </form>",
            user = escape(user),
            scopes = escape(scopes),
            id = escape(id),
        ),
    )
}

/// Salesforce's RemoteAccessErrorPage.
pub fn error_page(error: &str, description: &str) -> String {
    page(
        "Error | Salesforce",
        &format!(
            "<p>We can't authorize you because of an OAuth error. For more information, contact your Salesforce administrator.</p>\
             <p><b>{}</b>: {}</p>",
            escape(error),
            escape(description)
        ),
    )
}

pub fn not_found() -> String {
    page("Not Found", "<h1>Not Found</h1><p>The requested URL was not found on this server.</p>")
}

pub fn unavailable() -> String {
    page("Service Unavailable", "<h1>Service Unavailable</h1><p>Salesforce is down for maintenance.</p>")
}
