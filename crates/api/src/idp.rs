//! The built-in identity provider: just enough of the Microsoft identity platform's v2.0
//! endpoints for Microsoft's credential classes (azure-identity, MSAL) to get tokens from
//! accessd. OpenID configuration, its signing keys, and the token endpoint with the client
//! credentials grant (registered applications and their secrets) and the password grant
//! (directory users with a password). Tokens are signed with the same key and carry the same
//! claims as `accessd token`'s. docs/authentication.md describes it.

use std::collections::HashMap;

use accessd_domain::{PrincipalKind, Timestamp};
use accessd_engine::SignInError;
use accessd_engine::apps::{DEFAULT_DELEGATED_SCOPES, GRAPH_APP_ID};
use axum::body::Bytes;
use axum::extract::{Path, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use serde_json::{Value, json};

use crate::AppState;
use crate::auth::{AUDIENCES, Keys, TokenRequest};
use crate::middleware::RequestCtx;

/// How long an issued access token lives (Entra's are 60 to 90 minutes).
pub const TOKEN_LIFETIME_SECONDS: i64 = 3599;

/// Scopes a client may add to a user's request that are about the sign-in, not Graph.
const OIDC_SCOPES: &[&str] = &["openid", "profile", "offline_access", "email"];

fn ctx_of(req: &Request) -> RequestCtx {
    req.extensions()
        .get::<RequestCtx>()
        .cloned()
        .unwrap_or_else(|| RequestCtx {
            request_id: uuid::Uuid::new_v4().to_string(),
            client_request_id: String::new(),
            base: "http://localhost:5599".into(),
            eventual: false,
        })
}

/// An error of the identity platform: `error`, an AADSTS code and its description.
#[derive(Debug)]
pub struct IdpError {
    status: StatusCode,
    error: &'static str,
    code: u32,
    description: String,
}

impl IdpError {
    fn new(status: StatusCode, error: &'static str, code: u32, d: impl Into<String>) -> Self {
        IdpError {
            status,
            error,
            code,
            description: d.into(),
        }
    }

    fn bad(error: &'static str, code: u32, d: impl Into<String>) -> Self {
        IdpError::new(StatusCode::BAD_REQUEST, error, code, d)
    }

    fn missing(param: &str) -> Self {
        IdpError::bad(
            "invalid_request",
            900144,
            format!("The request body must contain the following parameter: '{param}'."),
        )
    }

    /// The JSON body, with the trace and correlation ids and the time, as Entra writes them.
    fn respond(&self, ctx: &RequestCtx, now: Timestamp) -> Response {
        let stamp = now.as_utc().format("%Y-%m-%d %H:%M:%SZ").to_string();
        let correlation = if ctx.client_request_id.is_empty() {
            ctx.request_id.clone()
        } else {
            ctx.client_request_id.clone()
        };
        let body = json!({
            "error": self.error,
            "error_description": format!(
                "AADSTS{}: {} Trace ID: {} Correlation ID: {} Timestamp: {stamp}",
                self.code, self.description, ctx.request_id, correlation
            ),
            "error_codes": [self.code],
            "timestamp": stamp,
            "trace_id": ctx.request_id,
            "correlation_id": correlation,
            "error_uri": format!("https://login.microsoftonline.com/error?code={}", self.code),
        });
        let mut r = (self.status, axum::Json(body)).into_response();
        if self.status == StatusCode::UNAUTHORIZED {
            r.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                header::HeaderValue::from_static("Basic realm=\"accessd\""),
            );
        }
        no_store(r)
    }
}

fn no_store(mut r: Response) -> Response {
    r.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-store, no-cache"),
    );
    r
}

/// The tenant segment must name this tenant (`common` and `organizations` stand for it too).
fn check_tenant(keys: &Keys, tenant: &str) -> Result<(), IdpError> {
    if tenant.eq_ignore_ascii_case(&keys.tenant_id)
        || tenant.eq_ignore_ascii_case("common")
        || tenant.eq_ignore_ascii_case("organizations")
    {
        return Ok(());
    }
    Err(IdpError::bad(
        "invalid_request",
        90002,
        format!(
            "Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud."
        ),
    ))
}

/// `GET /{tenant}/v2.0/.well-known/openid-configuration`
pub async fn openid_configuration(
    State(s): State<AppState>,
    Path(tenant): Path<String>,
    req: Request,
) -> Response {
    let ctx = ctx_of(&req);
    let keys = s.tokens.keys();
    if let Err(e) = check_tenant(keys, &tenant) {
        return e.respond(&ctx, s.wall_clock.now());
    }
    let base = format!("{}/{}", ctx.base, keys.tenant_id);
    let doc = json!({
        "issuer": keys.issuer,
        "token_endpoint": format!("{base}/oauth2/v2.0/token"),
        "authorization_endpoint": format!("{base}/oauth2/v2.0/authorize"),
        "device_authorization_endpoint": format!("{base}/oauth2/v2.0/devicecode"),
        "jwks_uri": format!("{base}/discovery/v2.0/keys"),
        "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
        "grant_types_supported": ["client_credentials", "password"],
        "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
        "response_modes_supported": ["query", "fragment", "form_post"],
        "scopes_supported": ["openid", "profile", "email", "offline_access"],
        "subject_types_supported": ["pairwise"],
        "id_token_signing_alg_values_supported": ["ES256"],
        "claims_supported": ["sub", "iss", "aud", "exp", "iat", "nbf", "name", "oid", "tid",
            "preferred_username", "ver"],
        "tenant_region_scope": null,
        "cloud_instance_name": "microsoftonline.com",
        "request_uri_parameter_supported": false,
        "http_logout_supported": true,
        "frontchannel_logout_supported": true,
    });
    no_store((StatusCode::OK, axum::Json(doc)).into_response())
}

/// `GET /{tenant}/discovery/v2.0/keys`: the key tokens are signed with.
pub async fn jwks(State(s): State<AppState>, Path(tenant): Path<String>, req: Request) -> Response {
    let keys = s.tokens.keys();
    if let Err(e) = check_tenant(keys, &tenant) {
        return e.respond(&ctx_of(&req), s.wall_clock.now());
    }
    (StatusCode::OK, axum::Json(json!({"keys": [keys.jwk]}))).into_response()
}

/// `GET /common/discovery/instance`: MSAL's instance discovery, answered for this host.
pub async fn instance_discovery(req: Request) -> Response {
    let ctx = ctx_of(&req);
    let host = ctx
        .base
        .split_once("://")
        .map_or(ctx.base.as_str(), |(_, h)| h)
        .to_string();
    let doc = json!({
        "tenant_discovery_endpoint": format!("{}/{{tenantid}}/v2.0/.well-known/openid-configuration", ctx.base),
        "api-version": "1.1",
        "metadata": [{"preferred_network": host, "preferred_cache": host, "aliases": [host]}],
    });
    (StatusCode::OK, axum::Json(doc)).into_response()
}

/// `GET /metadata/endpoints?api-version=...`: the cloud metadata Azure's Go SDK (and with it
/// Terraform's azuread provider, `metadata_host`) reads to learn where Graph and the login
/// endpoint are: both are accessd. `2022-09-01` and later answer one object; older versions an
/// array of one, as Azure Resource Manager does.
pub async fn cloud_metadata(req: Request) -> Response {
    let ctx = ctx_of(&req);
    let old = req.uri().query().is_some_and(|q| {
        form_urlencoded::parse(q.as_bytes())
            .any(|(k, v)| k == "api-version" && v.as_ref() < "2022-09-01")
    });
    let base = format!("{}/", ctx.base);
    let env = json!({
        "name": "accessd",
        "portal": base,
        "authentication": {
            "loginEndpoint": base,
            "audiences": [base, "https://graph.microsoft.com/"],
            "tenant": "common",
            "identityProvider": "AAD",
        },
        "graph": "",
        "graphAudience": "",
        "microsoftGraphResourceId": base,
        // accessd serves no Azure Resource Manager; the field is required, so it names accessd.
        "resourceManager": base,
        "media": "", "batch": "", "vmImageAliasDoc": "", "activeDirectoryDataLake": "",
        "sqlManagement": "", "appInsightsResourceId": "",
        "appInsightsTelemetryChannelResourceId": "", "attestationResourceId": "",
        "synapseAnalyticsResourceId": "", "logAnalyticsResourceId": "", "ossrDbmsResourceId": "",
        "suffixes": {},
    });
    let body = if old { json!([env]) } else { env };
    (StatusCode::OK, axum::Json(body)).into_response()
}

/// `GET /common/userrealm/{username}`: every account here is a managed (cloud) account.
pub async fn user_realm(Path(username): Path<String>) -> Response {
    let domain = username.rsplit_once('@').map_or("", |(_, d)| d).to_string();
    let doc = json!({
        "ver": "1.0",
        "account_type": "Managed",
        "domain_name": domain,
        "cloud_instance_name": "microsoftonline.com",
        "cloud_audience_urn": "urn:federation:MicrosoftOnline",
    });
    (StatusCode::OK, axum::Json(doc)).into_response()
}

/// `POST /{tenant}/oauth2/v2.0/token`
pub async fn token(
    State(s): State<AppState>,
    Path(tenant): Path<String>,
    headers: HeaderMap,
    req: Request,
) -> Response {
    let ctx = ctx_of(&req);
    let now = s.wall_clock.now();
    let Ok(body) = axum::body::to_bytes(req.into_body(), 64 * 1024).await else {
        return IdpError::bad("invalid_request", 900144, "The request body is too large.")
            .respond(&ctx, now);
    };
    let seen = crate::requestlog::Seen {
        caller: form_urlencoded::parse(&body)
            .find(|(k, _)| k == "client_id")
            .map(|(_, v)| format!("client {v}")),
        body: crate::requestlog::excerpt(&body),
    };
    let mut res = match issue(&s, &tenant, &headers, &body, &ctx.base, now).await {
        Ok(v) => no_store((StatusCode::OK, axum::Json(v)).into_response()),
        Err(e) => {
            tracing::info!(error = e.error, code = e.code, "token request refused");
            e.respond(&ctx, now)
        }
    };
    res.extensions_mut().insert(seen);
    res
}

/// The form's parameters (first value of each) and the client's credentials, from the form
/// or from HTTP Basic authentication.
struct Form {
    params: HashMap<String, String>,
    /// The address the client reached accessd at.
    base: String,
}

impl Form {
    fn parse(headers: &HeaderMap, body: &Bytes, base: &str) -> Result<Form, IdpError> {
        let form_type = headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| {
                v.split(';').next().is_some_and(|t| {
                    t.trim()
                        .eq_ignore_ascii_case("application/x-www-form-urlencoded")
                })
            });
        if !form_type {
            return Err(IdpError::bad(
                "invalid_request",
                900144,
                "The request body must contain the following parameter: 'grant_type'. The body must be sent as application/x-www-form-urlencoded.",
            ));
        }
        let mut params = HashMap::new();
        for (k, v) in form_urlencoded::parse(body) {
            params
                .entry(k.into_owned())
                .or_insert_with(|| v.into_owned());
        }
        // client_secret_basic: `Authorization: Basic base64(urlencode(id):urlencode(secret))`.
        if let Some((id, secret)) = basic_credentials(headers) {
            params.entry("client_id".into()).or_insert(id);
            params.entry("client_secret".into()).or_insert(secret);
        }
        Ok(Form {
            params,
            base: base.to_string(),
        })
    }

    fn get(&self, k: &str) -> Option<&str> {
        self.params
            .get(k)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }

    fn need(&self, k: &str) -> Result<&str, IdpError> {
        self.get(k).ok_or_else(|| IdpError::missing(k))
    }
}

fn basic_credentials(headers: &HeaderMap) -> Option<(String, String)> {
    let h = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, rest) = h.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let raw = base64::engine::general_purpose::STANDARD
        .decode(rest.trim())
        .ok()?;
    let text = String::from_utf8(raw).ok()?;
    let (id, secret) = text.split_once(':')?;
    let dec = |s: &str| {
        percent_encoding::percent_decode_str(&s.replace('+', " "))
            .decode_utf8()
            .ok()
            .map(|c| c.into_owned())
    };
    Some((dec(id)?, dec(secret)?))
}

/// Microsoft Graph named as a resource: its URI (any case, with or without a slash), its app
/// id, or accessd's own address (`base`), which is Graph's for a client that learned it from
/// `/metadata/endpoints` (Terraform's azuread provider).
fn is_graph(resource: &str, base: &str) -> bool {
    let r = resource.trim_end_matches('/');
    AUDIENCES
        .iter()
        .any(|a| a.trim_end_matches('/').eq_ignore_ascii_case(r))
        || r.eq_ignore_ascii_case(GRAPH_APP_ID)
        || (!base.is_empty() && r.eq_ignore_ascii_case(base.trim_end_matches('/')))
}

async fn issue(
    s: &AppState,
    tenant: &str,
    headers: &HeaderMap,
    body: &Bytes,
    base: &str,
    now: Timestamp,
) -> Result<Value, IdpError> {
    let keys = s.tokens.keys();
    check_tenant(keys, tenant)?;
    let form = Form::parse(headers, body, base)?;
    match form.need("grant_type")? {
        "client_credentials" => client_credentials(s, keys, &form, now).await,
        "password" => password(s, keys, &form, now).await,
        other => Err(IdpError::bad(
            "unsupported_grant_type",
            70003,
            format!("The app requested an unsupported grant type '{other}'."),
        )),
    }
}

fn sign_in_error(e: SignInError, client_id: &str, tenant: &str) -> IdpError {
    let unauthorized = StatusCode::UNAUTHORIZED;
    match e {
        SignInError::UnknownClient => IdpError::bad(
            "unauthorized_client",
            700016,
            format!(
                "Application with identifier '{client_id}' was not found in the directory '{tenant}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant."
            ),
        ),
        SignInError::BadSecret => IdpError::new(
            unauthorized,
            "invalid_client",
            7000215,
            format!(
                "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '{client_id}'."
            ),
        ),
        SignInError::ExpiredSecret => IdpError::new(
            unauthorized,
            "invalid_client",
            7000222,
            format!("The provided client secret keys for app '{client_id}' are expired."),
        ),
        SignInError::NotPublicClient => IdpError::new(
            unauthorized,
            "invalid_client",
            7000218,
            "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
        ),
        SignInError::BadCredentials => IdpError::bad(
            "invalid_grant",
            50126,
            "Error validating credentials due to invalid username or password.",
        ),
        SignInError::Disabled => IdpError::bad(
            "invalid_grant",
            50057,
            "The user account is disabled. The account has been disabled by an administrator.",
        ),
        SignInError::Engine(e) => {
            tracing::error!(error = %e, "token endpoint");
            IdpError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "temporarily_unavailable",
                90033,
                "A transient error has occurred. Please try again.",
            )
        }
    }
}

/// The client credentials grant: `scope` must be `{graph}/.default`.
async fn client_credentials(
    s: &AppState,
    keys: &Keys,
    form: &Form,
    now: Timestamp,
) -> Result<Value, IdpError> {
    let client_id = form.need("client_id")?;
    let scope = form.need("scope")?;
    let resource = scope
        .split_whitespace()
        .find_map(|sc| sc.strip_suffix("/.default"));
    let Some(resource) = resource.filter(|_| scope.split_whitespace().count() == 1) else {
        return Err(IdpError::bad(
            "invalid_scope",
            1002012,
            format!(
                "The provided value for scope {scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI)."
            ),
        ));
    };
    if !is_graph(resource, &form.base) {
        return Err(IdpError::bad(
            "invalid_resource",
            500011,
            format!(
                "The resource principal named {resource} was not found in the tenant named {}. accessd issues tokens for Microsoft Graph only.",
                keys.tenant_id
            ),
        ));
    }
    let secret = form
        .need("client_secret")
        .map_err(|_| sign_in_error(SignInError::NotPublicClient, client_id, &keys.tenant_id))?;
    let (app, sp) = s
        .engine
        .sign_in_app(client_id, secret)
        .await
        .map_err(|e| sign_in_error(e, client_id, &keys.tenant_id))?;
    let roles: Vec<String> = sp.app_roles.iter().map(|g| g.value.clone()).collect();
    let token = keys
        .mint(
            &TokenRequest {
                kind: Some(PrincipalKind::App),
                object_id: sp.id.clone(),
                roles,
                client_id: Some(app.app_id.clone()),
                display: app.display_name.clone(),
                lifetime_seconds: TOKEN_LIFETIME_SECONDS,
                ..Default::default()
            },
            now,
        )
        .map_err(signing_failed)?;
    Ok(json!({
        "token_type": "Bearer",
        "expires_in": TOKEN_LIFETIME_SECONDS,
        "ext_expires_in": TOKEN_LIFETIME_SECONDS,
        "access_token": token,
    }))
}

/// A token that could not be signed: the identity platform's transient error.
fn signing_failed(e: String) -> IdpError {
    sign_in_error(
        SignInError::Engine(accessd_engine::Error::Store(
            accessd_domain::StoreError::Other(e),
        )),
        "",
        "",
    )
}

/// The Graph scopes a user's request names: `None` for `.default` (or none at all).
fn requested_scopes(scope: &str, base: &str) -> Result<Option<Vec<String>>, IdpError> {
    let mut named = vec![];
    let mut default = false;
    for sc in scope.split_whitespace() {
        if OIDC_SCOPES.iter().any(|o| o.eq_ignore_ascii_case(sc)) {
            continue;
        }
        let (resource, name) = match sc.rsplit_once('/') {
            Some((r, n)) => (r, n),
            None => ("https://graph.microsoft.com", sc),
        };
        if !is_graph(resource, base) {
            return Err(IdpError::bad(
                "invalid_resource",
                500011,
                format!(
                    "The resource principal named {resource} was not found in the tenant. accessd issues tokens for Microsoft Graph only."
                ),
            ));
        }
        if name == ".default" {
            default = true;
        } else {
            named.push(name.to_string());
        }
    }
    if default && !named.is_empty() {
        return Err(IdpError::bad(
            "invalid_scope",
            70011,
            format!(
                "The provided request must include a 'scope' input parameter. The provided value for the input parameter 'scope' is not valid. The scope {scope} is not valid. .default scope can't be combined with resource-specific scopes."
            ),
        ));
    }
    Ok((!named.is_empty()).then_some(named))
}

/// The resource owner password grant, for directory users with a password.
async fn password(
    s: &AppState,
    keys: &Keys,
    form: &Form,
    now: Timestamp,
) -> Result<Value, IdpError> {
    let client_id = form.need("client_id")?;
    let username = form.need("username")?;
    let pw = form.need("password")?;
    let asked = requested_scopes(form.get("scope").unwrap_or(""), &form.base)?;
    let (_, declared) = s
        .engine
        .password_client(client_id, form.get("client_secret"))
        .await
        .map_err(|e| sign_in_error(e, client_id, &keys.tenant_id))?;
    let (user, wids) = s
        .engine
        .sign_in_user(username, pw)
        .await
        .map_err(|e| sign_in_error(e, client_id, &keys.tenant_id))?;
    // A client that declares its delegated permissions gets those and may ask for no others;
    // for one that declares none, consent is taken as given (accessd's default set for
    // `.default`, or exactly what it asks for).
    let scopes = match (asked, declared.is_empty()) {
        (None, true) => DEFAULT_DELEGATED_SCOPES
            .iter()
            .map(|x| x.to_string())
            .collect(),
        (None, false) => declared,
        (Some(asked), true) => asked,
        (Some(asked), false) => {
            if let Some(missing) = asked
                .iter()
                .find(|a| !declared.iter().any(|c| c.eq_ignore_ascii_case(a)))
            {
                return Err(IdpError::bad(
                    "invalid_grant",
                    65001,
                    format!(
                        "The user or administrator has not consented to use the application with ID '{client_id}'. Send an interactive authorization request for this user and resource. (Scope '{missing}'.)"
                    ),
                ));
            }
            asked
        }
    };
    let upn = user.user_principal_name.clone();
    let token = keys
        .mint(
            &TokenRequest {
                kind: Some(PrincipalKind::User),
                object_id: user.id.clone(),
                scopes: scopes.clone(),
                wids,
                client_id: Some(client_id.to_string()),
                display: upn.clone(),
                name: user.display_name.clone(),
                lifetime_seconds: TOKEN_LIFETIME_SECONDS,
                ..Default::default()
            },
            now,
        )
        .map_err(signing_failed)?;
    let iat = now.as_utc().timestamp();
    let id_token = keys
        .sign(&json!({
            "aud": client_id, "iss": keys.issuer, "iat": iat, "nbf": iat,
            "exp": iat + TOKEN_LIFETIME_SECONDS, "sub": user.id, "oid": user.id,
            "tid": keys.tenant_id, "preferred_username": upn, "name": user.display_name,
            "ver": "2.0",
        }))
        .map_err(signing_failed)?;
    let client_info = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(json!({"uid": user.id, "utid": keys.tenant_id}).to_string());
    let mut granted: Vec<String> = scopes
        .iter()
        .map(|x| format!("https://graph.microsoft.com/{x}"))
        .collect();
    granted.extend(["openid", "profile"].map(String::from));
    Ok(json!({
        "token_type": "Bearer",
        "scope": granted.join(" "),
        "expires_in": TOKEN_LIFETIME_SECONDS,
        "ext_expires_in": TOKEN_LIFETIME_SECONDS,
        "access_token": token,
        "id_token": id_token,
        "client_info": client_info,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_of_a_user_request() {
        assert_eq!(
            requested_scopes("openid profile offline_access", "").unwrap(),
            None
        );
        assert_eq!(
            requested_scopes("https://graph.microsoft.com/.default openid", "").unwrap(),
            None
        );
        assert_eq!(
            requested_scopes(
                "User.Read https://graph.microsoft.com/EntitlementManagement.Read.All",
                ""
            )
            .unwrap(),
            Some(vec![
                "User.Read".into(),
                "EntitlementManagement.Read.All".into()
            ])
        );
        assert_eq!(
            requested_scopes("api://other/.default", "")
                .unwrap_err()
                .code,
            500011
        );
        assert_eq!(
            requested_scopes("https://graph.microsoft.com/.default User.Read", "")
                .unwrap_err()
                .code,
            70011
        );
    }

    #[test]
    fn graph_by_any_name() {
        assert!(is_graph("https://graph.microsoft.com", ""));
        assert!(is_graph("https://GRAPH.microsoft.com/", ""));
        assert!(is_graph(GRAPH_APP_ID, ""));
        assert!(is_graph(
            "https://127.0.0.1:5599/",
            "https://127.0.0.1:5599"
        ));
        assert!(!is_graph(
            "https://management.azure.com",
            "https://127.0.0.1:5599"
        ));
    }

    #[test]
    fn basic_authentication_of_the_client() {
        let mut h = HeaderMap::new();
        let v = base64::engine::general_purpose::STANDARD.encode("my%20app:s%3Acret+x");
        h.insert(header::AUTHORIZATION, format!("Basic {v}").parse().unwrap());
        assert_eq!(
            basic_credentials(&h),
            Some(("my app".into(), "s:cret x".into()))
        );
    }
}
