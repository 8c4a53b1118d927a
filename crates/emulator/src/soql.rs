//! The SOQL query endpoint `GET /services/data/vXX.X/query?q=…` for exactly the objects
//! `post-setup-failures.md` (B.1, B.2) names: `OauthToken`, `User`, `UserLogin`,
//! `ExternalClientApplication`, `ExtlClntAppOauthPlcyCnfg`, `ExtlClntAppPlcyCnfg`,
//! `ConnectedApplication`, `SetupEntityAccess`, `PermissionSetAssignment`, `PermissionSet`.
//!
//! The language is the subset those queries use: `SELECT f, Rel.f FROM Object [WHERE f = lit
//! [AND …]] [ORDER BY f [ASC|DESC]] [LIMIT n]`, keywords and names case-insensitive, string
//! literals with backslash escapes. Answers have Salesforce's shape (`totalSize`, `done`,
//! `records` with `attributes`); refusals are `[{"message","errorCode"}]`: `MALFORMED_QUERY`,
//! `INVALID_TYPE` (an object the user may not see, or one the org does not have),
//! `INVALID_FIELD`, and `INSUFFICIENT_ACCESS_OR_READONLY` (UserLogin without Manage Users).

use serde_json::{json, Map, Value};

use crate::org::{rest_error, AppKind, Role, ADMIN_ID, APP_ID, PERMISSION_SET, USER_ID};
use crate::{Reply, State, TokenStatus};

/// A parsed query.
#[derive(Debug, Clone, PartialEq)]
pub struct Query {
    pub fields: Vec<String>,
    pub object: String,
    pub conditions: Vec<(String, bool, Literal)>,
    pub order: Option<(String, bool)>,
    pub limit: Option<usize>,
}

/// A literal on the right of `=` / `!=`.
#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    Str(String),
    Bool(bool),
    Null,
    Num(f64),
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Word(String),
    Str(String),
    Comma,
    Eq,
    Ne,
}

fn tokenize(q: &str) -> Result<Vec<Tok>, String> {
    let mut out = Vec::new();
    let mut chars = q.chars().peekable();
    while let Some(&c) = chars.peek() {
        match c {
            c if c.is_whitespace() => {
                chars.next();
            }
            ',' => {
                chars.next();
                out.push(Tok::Comma);
            }
            '=' => {
                chars.next();
                out.push(Tok::Eq);
            }
            '!' => {
                chars.next();
                if chars.next() != Some('=') {
                    return Err("unexpected token: '!'".into());
                }
                out.push(Tok::Ne);
            }
            '\'' => {
                chars.next();
                let mut s = String::new();
                loop {
                    match chars.next() {
                        None => return Err("unterminated string literal".into()),
                        Some('\\') => s.push(chars.next().ok_or("unterminated string literal")?),
                        Some('\'') => break,
                        Some(c) => s.push(c),
                    }
                }
                out.push(Tok::Str(s));
            }
            c if c.is_alphanumeric() || c == '_' || c == '.' || c == '-' => {
                let mut w = String::new();
                while let Some(&c) = chars.peek() {
                    if c.is_alphanumeric() || c == '_' || c == '.' || c == '-' {
                        w.push(c);
                        chars.next();
                    } else {
                        break;
                    }
                }
                out.push(Tok::Word(w));
            }
            other => return Err(format!("unexpected token: '{other}'")),
        }
    }
    Ok(out)
}

fn is_kw(t: Option<&Tok>, kw: &str) -> bool {
    matches!(t, Some(Tok::Word(w)) if w.eq_ignore_ascii_case(kw))
}

fn word(t: Option<&Tok>) -> Result<String, String> {
    match t {
        Some(Tok::Word(w)) => Ok(w.clone()),
        other => Err(format!("unexpected token: {}", describe(other))),
    }
}

fn describe(t: Option<&Tok>) -> String {
    match t {
        None => "<EOF>".into(),
        Some(Tok::Word(w)) => format!("'{w}'"),
        Some(Tok::Str(s)) => format!("'{s}'"),
        Some(Tok::Comma) => "','".into(),
        Some(Tok::Eq) => "'='".into(),
        Some(Tok::Ne) => "'!='".into(),
    }
}

/// Parses the supported subset of SOQL.
pub fn parse(q: &str) -> Result<Query, String> {
    let toks = tokenize(q)?;
    let mut i = 0;
    if !is_kw(toks.first(), "SELECT") {
        return Err(format!("unexpected token: {}", describe(toks.first())));
    }
    i += 1;
    let mut fields = vec![word(toks.get(i))?];
    i += 1;
    while toks.get(i) == Some(&Tok::Comma) {
        fields.push(word(toks.get(i + 1))?);
        i += 2;
    }
    if !is_kw(toks.get(i), "FROM") {
        return Err(format!("unexpected token: {}", describe(toks.get(i))));
    }
    let object = word(toks.get(i + 1))?;
    i += 2;
    let mut conditions = Vec::new();
    if is_kw(toks.get(i), "WHERE") {
        loop {
            let field = word(toks.get(i + 1))?;
            let eq = match toks.get(i + 2) {
                Some(Tok::Eq) => true,
                Some(Tok::Ne) => false,
                other => return Err(format!("unexpected token: {}", describe(other))),
            };
            let lit = match toks.get(i + 3) {
                Some(Tok::Str(s)) => Literal::Str(s.clone()),
                Some(Tok::Word(w)) if w.eq_ignore_ascii_case("true") => Literal::Bool(true),
                Some(Tok::Word(w)) if w.eq_ignore_ascii_case("false") => Literal::Bool(false),
                Some(Tok::Word(w)) if w.eq_ignore_ascii_case("null") => Literal::Null,
                Some(Tok::Word(w)) => Literal::Num(w.parse().map_err(|_| format!("unexpected token: '{w}'"))?),
                other => return Err(format!("unexpected token: {}", describe(other))),
            };
            conditions.push((field, eq, lit));
            i += 4;
            if !is_kw(toks.get(i), "AND") {
                break;
            }
        }
    }
    let mut order = None;
    if is_kw(toks.get(i), "ORDER") && is_kw(toks.get(i + 1), "BY") {
        let f = word(toks.get(i + 2))?;
        i += 3;
        let mut asc = true;
        if is_kw(toks.get(i), "DESC") || is_kw(toks.get(i), "ASC") {
            asc = is_kw(toks.get(i), "ASC");
            i += 1;
        }
        order = Some((f, asc));
    }
    let mut limit = None;
    if is_kw(toks.get(i), "LIMIT") {
        let n = word(toks.get(i + 1))?;
        limit = Some(n.parse().map_err(|_| format!("unexpected token: '{n}'"))?);
        i += 2;
    }
    if i != toks.len() {
        return Err(format!("unexpected token: {}", describe(toks.get(i))));
    }
    Ok(Query { fields, object, conditions, order, limit })
}

/// Who may read an object, and how Salesforce says no.
enum Access {
    Everyone,
    /// Needs an admin permission; others get `INVALID_TYPE` (the object does not exist for them).
    AdminElseInvalidType,
    /// Needs Manage Users; others get `INSUFFICIENT_ACCESS_OR_READONLY`.
    AdminElseInsufficient,
}

/// The objects: canonical name, fields (relationship paths included), access.
fn schema(object: &str) -> Option<(&'static str, &'static [&'static str], Access)> {
    const OAUTH_TOKEN: &[&str] = &["Id", "AppName", "AppMenuItemId", "CreatedDate", "LastUsedDate", "UseCount", "UserId"];
    const USER: &[&str] = &["Id", "Username", "Name", "IsActive", "ProfileId", "Profile.Name", "UserType"];
    const USER_LOGIN: &[&str] = &["Id", "UserId", "IsFrozen", "IsPasswordLocked"];
    const ECA: &[&str] = &["Id", "DeveloperName", "MasterLabel", "NamespacePrefix", "DistributionState", "ManagedType"];
    const ECA_OAUTH_POLICY: &[&str] = &[
        "Id",
        "ExternalClientApplicationId",
        "PermittedUsersPolicyType",
        "IpRelaxationPolicyType",
        "RefreshTokenPolicyType",
        "RefreshTokenValidityPeriod",
        "RefreshTokenValidityUnit",
        "SessionTimeoutInMinutes",
    ];
    const ECA_POLICY: &[&str] = &["Id", "ExternalClientApplicationId", "IsEnabled", "OauthPluginStatus"];
    const CONNECTED_APP: &[&str] = &[
        "Id",
        "Name",
        "OptionsAllowAdminApprovedUsersOnly",
        "OptionsRefreshTokenValidityMetric",
        "RefreshTokenValidityPeriod",
        "OptionsHasSessionLevelPolicy",
    ];
    const SETUP_ENTITY_ACCESS: &[&str] = &[
        "Id",
        "ParentId",
        "SetupEntityId",
        "SetupEntityType",
        "Parent.Name",
        "Parent.Label",
        "Parent.IsOwnedByProfile",
        "Parent.Profile.Name",
    ];
    const ASSIGNMENT: &[&str] = &[
        "Id",
        "AssigneeId",
        "PermissionSetId",
        "PermissionSet.Name",
        "PermissionSet.Label",
        "PermissionSet.IsOwnedByProfile",
        "PermissionSet.Profile.Name",
    ];
    const PERMISSION_SET_FIELDS: &[&str] = &["Id", "Name", "Label", "IsOwnedByProfile", "Profile.Name"];
    let table: [(&str, &[&str], Access); 10] = [
        ("OauthToken", OAUTH_TOKEN, Access::Everyone),
        ("User", USER, Access::Everyone),
        ("UserLogin", USER_LOGIN, Access::AdminElseInsufficient),
        ("ExternalClientApplication", ECA, Access::AdminElseInvalidType),
        ("ExtlClntAppOauthPlcyCnfg", ECA_OAUTH_POLICY, Access::AdminElseInvalidType),
        ("ExtlClntAppPlcyCnfg", ECA_POLICY, Access::AdminElseInvalidType),
        ("ConnectedApplication", CONNECTED_APP, Access::AdminElseInvalidType),
        ("SetupEntityAccess", SETUP_ENTITY_ACCESS, Access::AdminElseInvalidType),
        ("PermissionSetAssignment", ASSIGNMENT, Access::AdminElseInvalidType),
        ("PermissionSet", PERMISSION_SET_FIELDS, Access::AdminElseInvalidType),
    ];
    table.into_iter().find(|(name, _, _)| name.eq_ignore_ascii_case(object))
}

/// Answers one query as `role` would see it.
pub(crate) fn query(st: &State, role: Role, version: &str, q: &str) -> Reply {
    let parsed = match parse(q) {
        Ok(p) => p,
        Err(why) => return rest_error(400, "MALFORMED_QUERY", &why),
    };
    let invalid_type = || {
        rest_error(
            400,
            "INVALID_TYPE",
            &format!(
                "\n{q}\n^\nERROR at Row:1:Column:1\nsObject type '{}' is not supported. If you are attempting to use a custom object, be sure to append the '__c' after the entity name. Please reference your WSDL or the describe call for the appropriate names.",
                parsed.object
            ),
        )
    };
    let hidden = st.config.org.hidden_objects.iter().any(|h| h.eq_ignore_ascii_case(&parsed.object));
    let Some((object, fields, access)) = schema(&parsed.object).filter(|_| !hidden) else { return invalid_type() };
    match access {
        Access::AdminElseInvalidType if role != Role::Admin => return invalid_type(),
        Access::AdminElseInsufficient if role != Role::Admin => {
            return rest_error(403, "INSUFFICIENT_ACCESS_OR_READONLY", "insufficient access rights on object id")
        }
        _ => {}
    }
    let used = parsed.fields.iter().chain(parsed.conditions.iter().map(|c| &c.0)).chain(parsed.order.iter().map(|o| &o.0));
    let mut canonical = std::collections::HashMap::new();
    for f in used {
        match fields.iter().find(|k| k.eq_ignore_ascii_case(f)) {
            Some(k) => {
                canonical.insert(f.to_ascii_lowercase(), *k);
            }
            None => {
                return rest_error(
                    400,
                    "INVALID_FIELD",
                    &format!("\n{q}\n^\nERROR at Row:1:Column:1\nNo such column '{f}' on entity '{object}'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names."),
                )
            }
        }
    }
    let name = |f: &str| canonical[&f.to_ascii_lowercase()];
    let mut rows: Vec<Value> = rows(st, role, object)
        .into_iter()
        .filter(|row| parsed.conditions.iter().all(|(f, eq, lit)| matches(get(row, name(f)), lit) == *eq))
        .collect();
    if let Some((f, asc)) = &parsed.order {
        rows.sort_by_key(|r| get(r, name(f)).to_string());
        if !asc {
            rows.reverse();
        }
    }
    if let Some(n) = parsed.limit {
        rows.truncate(n);
    }
    let records: Vec<Value> =
        rows.iter().map(|row| project(row, object, version, &parsed.fields.iter().map(|f| name(f)).collect::<Vec<_>>())).collect();
    crate::json_reply(200, &json!({"totalSize": records.len(), "done": true, "records": records}))
}

fn get<'a>(row: &'a Value, path: &str) -> &'a Value {
    path.split('.').try_fold(row, |v, k| v.get(k)).unwrap_or(&Value::Null)
}

fn matches(v: &Value, lit: &Literal) -> bool {
    match lit {
        Literal::Str(s) => v.as_str().is_some_and(|x| x.eq_ignore_ascii_case(s)),
        Literal::Bool(b) => v.as_bool() == Some(*b),
        Literal::Null => v.is_null(),
        Literal::Num(n) => v.as_f64() == Some(*n),
    }
}

fn attributes(object: &str, version: &str, id: &Value) -> Value {
    json!({"type": object, "url": format!("/services/data/v{version}/sobjects/{object}/{}", id.as_str().unwrap_or(""))})
}

/// The selected fields of a row, relationships as nested records with their own attributes.
fn project(row: &Value, object: &str, version: &str, fields: &[&str]) -> Value {
    let mut out = Map::new();
    out.insert("attributes".into(), attributes(object, version, &row["Id"]));
    for f in fields {
        insert_path(&mut out, row, f, version);
    }
    Value::Object(out)
}

fn insert_path(out: &mut Map<String, Value>, row: &Value, path: &str, version: &str) {
    match path.split_once('.') {
        None => {
            out.insert(path.into(), row.get(path).cloned().unwrap_or(Value::Null));
        }
        Some((rel, rest)) => {
            let Some(child) = row.get(rel).filter(|c| c.is_object()) else {
                out.insert(rel.into(), Value::Null);
                return;
            };
            let entry = out.entry(rel.to_string()).or_insert_with(|| {
                let ty = child.get("_type").and_then(Value::as_str).unwrap_or(rel);
                json!({"attributes": attributes(ty, version, &child["Id"])})
            });
            if let Value::Object(m) = entry {
                insert_path(m, child, rest, version);
            }
        }
    }
}

/// A profile-owned permission set and the profile's name.
const PROFILES: [(&str, &str, &str); 2] = [
    ("0PS5g000000EmuIntA", "00e5g000000EmuIntA", "Minimum Access - API Only Integrations"),
    ("0PS5g000000EmuAdmA", "00e5g000000EmuAdmA", "System Administrator"),
];
const MAILFINO_PS_ID: &str = "0PS5g000000EmuMfnA";

fn profile_of(role: Role) -> (&'static str, &'static str, &'static str) {
    PROFILES[usize::from(role == Role::Admin)]
}

fn permission_set(id: &str, name: &str, label: &str, profile: Option<&str>) -> Value {
    json!({"_type": "PermissionSet", "Id": id, "Name": name, "Label": label, "IsOwnedByProfile": profile.is_some(),
           "Profile": profile.map(|p| json!({"_type": "Profile", "Id": "00e", "Name": p}))})
}

/// Every permission set of the org, by name (profile-owned ones named after their id, as
/// Salesforce does with `X00e…`).
fn permission_sets() -> Vec<Value> {
    let mut out: Vec<Value> = PROFILES.iter().map(|(ps, prof, name)| permission_set(ps, &format!("X{prof}"), name, Some(name))).collect();
    out.push(permission_set(MAILFINO_PS_ID, PERMISSION_SET, "Mailfino Integration", None));
    out
}

fn permission_set_named(name: &str) -> Value {
    permission_sets()
        .into_iter()
        .find(|p| p["Name"].as_str().is_some_and(|n| n.eq_ignore_ascii_case(name)) || p["Label"] == name)
        .unwrap_or_else(|| permission_set(&format!("0PS5g0000{:0>9}", name.len()), name, name, None))
}

/// The rows of an object as `role` sees them (before WHERE).
fn rows(st: &State, role: Role, object: &str) -> Vec<Value> {
    let org = &st.config.org;
    let eca = org.app_kind == AppKind::ExternalClientApp;
    match object {
        "OauthToken" => oauth_tokens(st, role),
        "User" => [Role::Integration, Role::Admin]
            .into_iter()
            .map(|r| {
                json!({"Id": r.user_id(), "Username": r.username(), "Name": r.username(), "IsActive": st.user_active(r),
                       "ProfileId": profile_of(r).1, "UserType": "Standard",
                       "Profile": {"_type": "Profile", "Id": profile_of(r).1, "Name": profile_of(r).2}})
            })
            .collect(),
        "UserLogin" => [Role::Integration, Role::Admin]
            .into_iter()
            .map(|r| {
                json!({"Id": format!("0Yw{}", &r.user_id()[3..]), "UserId": r.user_id(),
                       "IsFrozen": r == Role::Integration && org.integration_frozen, "IsPasswordLocked": false})
            })
            .collect(),
        "ExternalClientApplication" if eca => vec![json!({
            "Id": APP_ID, "DeveloperName": org.app_name.replace([' ', '-'], "_"), "MasterLabel": org.app_name,
            "NamespacePrefix": null, "DistributionState": "Local", "ManagedType": "Local"})],
        "ExtlClntAppOauthPlcyCnfg" if eca => vec![json!({
            "Id": "0nX5g000000EmuAAAA", "ExternalClientApplicationId": APP_ID,
            "PermittedUsersPolicyType": if org.admin_approved { "AdminApprovedPreAuthorized" } else { "AllSelfAuthorized" },
            "IpRelaxationPolicyType": org.ip_policy, "RefreshTokenPolicyType": org.refresh_policy.kind,
            "RefreshTokenValidityPeriod": org.refresh_policy.period, "RefreshTokenValidityUnit": org.refresh_policy.unit,
            "SessionTimeoutInMinutes": org.session_timeout_minutes})],
        "ExtlClntAppPlcyCnfg" if eca => vec![json!({
            "Id": "0nY5g000000EmuAAAA", "ExternalClientApplicationId": APP_ID, "IsEnabled": org.app_enabled,
            "OauthPluginStatus": if org.app_enabled { "Enabled" } else { "Disabled" }})],
        "ConnectedApplication" if !eca => vec![connected_app(st)],
        "SetupEntityAccess" if org.admin_approved => org
            .approved_permission_sets
            .iter()
            .map(|name| {
                let ps = permission_set_named(name);
                json!({"Id": format!("0J0{}", &ps["Id"].as_str().unwrap_or("")[3..]), "ParentId": ps["Id"], "SetupEntityId": APP_ID,
                       "SetupEntityType": if eca { "ExternalClientApplication" } else { "ConnectedApplication" }, "Parent": ps})
            })
            .collect(),
        "PermissionSetAssignment" => assignments(st),
        "PermissionSet" => permission_sets(),
        _ => Vec::new(),
    }
}

fn connected_app(st: &State) -> Value {
    let org = &st.config.org;
    let p = &org.refresh_policy;
    // How the Setup choices map onto these two fields is not documented (B.2, UNSURE); the
    // emulator uses: inactivity -> metric true; lifetime -> metric false; zero -> period 0.
    let (metric, period) = match p.kind.as_str() {
        "SpecificInactivity" => (true, p.period),
        "SpecificLifetime" => (false, p.period),
        "Zero" => (false, Some(0)),
        _ => (false, None),
    };
    json!({"Id": APP_ID, "Name": org.app_name, "OptionsAllowAdminApprovedUsersOnly": org.admin_approved,
           "OptionsRefreshTokenValidityMetric": metric, "RefreshTokenValidityPeriod": period, "OptionsHasSessionLevelPolicy": false})
}

fn assignments(st: &State) -> Vec<Value> {
    let mut out = Vec::new();
    for role in [Role::Integration, Role::Admin] {
        let (ps, prof, name) = profile_of(role);
        let mut sets = vec![permission_set(ps, &format!("X{prof}"), name, Some(name))];
        if role == Role::Integration && st.config.org.integration_has_permission_set {
            sets.push(permission_set(MAILFINO_PS_ID, PERMISSION_SET, "Mailfino Integration", None));
        }
        for set in sets {
            out.push(json!({"Id": format!("0Pa{}{}", &role.user_id()[10..], &set["Id"].as_str().unwrap_or("")[12..]),
                            "AssigneeId": role.user_id(), "PermissionSetId": set["Id"], "PermissionSet": set}));
        }
    }
    out
}

/// One row per approval: each live refresh-token chain, plus the configured earlier approvals
/// of the integration user. A user without Customize Application sees only their own (B.2).
fn oauth_tokens(st: &State, role: Role) -> Vec<Value> {
    let org = &st.config.org;
    let menu_item = if org.app_kind == AppKind::ConnectedApp { json!("0Pp5g000000EmuAAAA") } else { Value::Null };
    let mut chains: Vec<(u64, u64)> = Vec::new();
    for r in st.refresh.values().filter(|r| r.status == TokenStatus::Active) {
        if !chains.iter().any(|(c, _)| *c == r.chain) {
            chains.push((r.chain, r.issued_at));
        }
    }
    chains.sort();
    let mut rows: Vec<(String, Role, u64)> =
        (0..org.prior_approvals).map(|n| (format!("0CQ5g0000000Pr{n:04}"), Role::Integration, 1_700_000_000_000 + u64::from(n))).collect();
    rows.extend(chains.iter().map(|(c, at)| (format!("0CQ5g000000Ch{c:05}"), st.chain_role(*c), *at)));
    rows.into_iter()
        .filter(|(_, owner, _)| role == Role::Admin || *owner == role)
        .map(|(id, owner, at)| {
            let when = crate::org::format_time(at);
            json!({"Id": id, "AppName": org.app_name, "AppMenuItemId": menu_item, "CreatedDate": when, "LastUsedDate": when,
                   "UseCount": 1, "UserId": if owner == Role::Admin { ADMIN_ID } else { USER_ID }})
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_queries_of_the_reference() {
        let q = parse("SELECT Id, AppName FROM OauthToken WHERE AppName = 'mail\\'fino' AND UserId = '005x' LIMIT 10").unwrap();
        assert_eq!(q.fields, ["Id", "AppName"]);
        assert_eq!(q.object, "OauthToken");
        assert_eq!(q.conditions[0], ("AppName".into(), true, Literal::Str("mail'fino".into())));
        assert_eq!(q.limit, Some(10));
        let q = parse("select ParentId, Parent.Name from SetupEntityAccess where SetupEntityId != null order by ParentId desc").unwrap();
        assert_eq!(q.order, Some(("ParentId".into(), false)));
        assert_eq!(q.conditions[0].2, Literal::Null);
        for bad in [
            "",
            "SELECT",
            "SELECT Id",
            "SELECT Id FROM",
            "SELECT Id FROM X WHERE",
            "SELECT Id FROM X WHERE a = 'b",
            "SELECT Id FROM X junk",
            "DELETE FROM X",
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }
}
