//! Custom extensions: a catalog's `customWorkflowExtensions`, and the callouts the lifecycle
//! makes to them at the stages a policy's `customExtensionStageSettings` name.
//!
//! A callout is due work (`WorkKind::Callout`) written in the transaction of the stage, with
//! the payload as it was at that moment; the runner sends it outside any transaction through
//! the [`CalloutSender`] the server gives the engine, retrying as the extension's
//! `clientConfiguration` says. A request-workflow extension with a `callbackConfiguration` is
//! waited for at the `assignmentRequestCreated` and `assignmentRequestApproved` stages: the
//! request reads `WaitingForCallback` until `resume` arrives (or is denied when the timeout
//! passes first). docs/lifecycle.md describes it.

use accessd_domain::store::{Kind, Tx, TxExt};
use accessd_domain::{
    AccessPackage, Assignment, AssignmentRequest, Catalog, CustomExtension, CustomExtensionStage,
    DueWork, Duration, Policy, Principal, RequestState, Subject, WorkKind, new_id,
};
use serde_json::{Value, json};

use crate::audit::{self, Change};
use crate::authz::{Obj, Op, Res};
use crate::lifecycle::due::{schedule, unschedule};
use crate::lifecycle::{RequestEvent, impossible, request_to};
use crate::{Engine, Error, Result, actor};

/// The status a request shows while it waits for a custom extension's callback.
pub const WAITING_FOR_CALLBACK: &str = "WaitingForCallback";

/// Sends a callout: POSTs `body` to `url`, answering the HTTP status (or why nothing came back).
#[async_trait::async_trait]
pub trait CalloutSender: Send + Sync {
    async fn send(&self, url: &str, body: &Value, timeout_ms: u64) -> Result<u16, String>;
}

/// What `resume` carries (`data` of `accessPackageAssignmentRequestCallbackData`).
#[derive(Debug, Clone, Default)]
pub struct Resume {
    pub stage: Option<CustomExtensionStage>,
    pub instance_id: Option<String>,
    pub detail: Option<String>,
    /// `Denied` or `Canceled`, at the `assignmentRequestCreated` stage only.
    pub state: Option<String>,
}

fn stage_detail(stage: CustomExtensionStage) -> &'static str {
    match stage {
        CustomExtensionStage::AssignmentRequestCreated => {
            "A new request for an access package assignment was created."
        }
        CustomExtensionStage::AssignmentRequestApproved => {
            "A request for an access package assignment was approved."
        }
        CustomExtensionStage::AssignmentRequestGranted => {
            "A request for an access package assignment was granted."
        }
        CustomExtensionStage::AssignmentRequestRemoved => {
            "An access package assignment was removed."
        }
        CustomExtensionStage::AssignmentFourteenDaysBeforeExpiration => {
            "An access package assignment expires in 14 days."
        }
        CustomExtensionStage::AssignmentOneDayBeforeExpiration => {
            "An access package assignment expires in one day."
        }
    }
}

fn brief(id: &str, name: &Option<String>, description: &Option<String>) -> Value {
    json!({"id": id, "displayName": name, "description": description})
}

fn instance(id: &str, extension: &str, status: &str) -> Value {
    json!({"id": id, "customExtensionId": extension, "detail": null,
           "externalCorrelationId": null, "status": status})
}

fn set_instance_status(list: &mut [Value], id: &str, status: &str, detail: Option<&str>) -> bool {
    for i in list.iter_mut() {
        if i.get("id").and_then(Value::as_str) == Some(id) {
            i["status"] = status.into();
            if let Some(d) = detail {
                i["detail"] = d.into();
            }
            return true;
        }
    }
    false
}

/// The callout as due work keeps it.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
struct Pending {
    extension_id: String,
    instance_id: String,
    /// `request` or `assignment`: where the instance is recorded.
    on: String,
    waits: bool,
    payload: Value,
}

impl Engine {
    pub async fn create_custom_extension(
        &self,
        p: &Principal,
        mut ext: CustomExtension,
    ) -> Result<CustomExtension> {
        let mut tx = self.begin().await?;
        self.authorize_in(
            &mut *tx,
            p,
            Op::Create,
            Res::CustomExtension,
            &Obj::in_catalog("", ext.catalog_id.clone()),
        )
        .await?;
        if tx.load::<Catalog>(&ext.catalog_id).await?.is_none() {
            return Err(Error::not_found("catalog", &ext.catalog_id));
        }
        check(&ext)?;
        let now = self.now();
        let by = actor(&mut *tx, p).await?;
        ext.id = new_id();
        ext.created_date_time = now;
        ext.last_modified_date_time = now;
        ext.created_by = Some(by.clone());
        ext.last_modified_by = Some(by);
        tx.create(&ext).await?;
        tx.commit().await?;
        Ok(ext)
    }

    pub async fn update_custom_extension<F>(
        &self,
        p: &Principal,
        id: &str,
        change: F,
    ) -> Result<CustomExtension>
    where
        F: FnOnce(&mut CustomExtension) -> Result<()> + Send,
    {
        let mut tx = self.begin().await?;
        let mut ext = tx
            .load::<CustomExtension>(id)
            .await?
            .ok_or_else(|| Error::not_found("custom extension", id))?;
        self.authorize_in(
            &mut *tx,
            p,
            Op::Update,
            Res::CustomExtension,
            &Obj::in_catalog(id, ext.catalog_id.clone()),
        )
        .await?;
        let keep = ext.clone();
        change(&mut ext)?;
        ext.id = keep.id;
        ext.catalog_id = keep.catalog_id;
        ext.odata_type = keep.odata_type;
        ext.created_date_time = keep.created_date_time;
        ext.created_by = keep.created_by;
        check(&ext)?;
        ext.last_modified_date_time = self.now();
        ext.last_modified_by = Some(actor(&mut *tx, p).await?);
        tx.save(&ext).await?;
        tx.commit().await?;
        Ok(ext)
    }

    /// Deletes a custom extension no policy uses.
    pub async fn delete_custom_extension(&self, p: &Principal, id: &str) -> Result<()> {
        let mut tx = self.begin().await?;
        let ext = tx
            .load::<CustomExtension>(id)
            .await?
            .ok_or_else(|| Error::not_found("custom extension", id))?;
        self.authorize_in(
            &mut *tx,
            p,
            Op::Delete,
            Res::CustomExtension,
            &Obj::in_catalog(id, ext.catalog_id.clone()),
        )
        .await?;
        let q = accessd_domain::Query::filtered(accessd_domain::Expr::col_eq(
            "catalog_id",
            ext.catalog_id.as_str(),
        ));
        for pol in tx.find::<Policy>(&q).await? {
            if pol
                .custom_extension_stage_settings
                .iter()
                .any(|s| s.custom_extension_id.as_deref() == Some(id))
            {
                return Err(Error::refused(
                    "CustomExtensionInUse",
                    format!(
                        "The custom extension '{id}' is used by the assignment policy '{}'; remove it from the policy's customExtensionStageSettings first.",
                        pol.id
                    ),
                ));
            }
        }
        tx.delete(Kind::CustomExtension, id).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Calls out at `stage` of a request if its policy says so. Returns whether the request
    /// now waits for the extension's callback (its status is then `WaitingForCallback`).
    pub(crate) async fn call_out(
        &self,
        tx: &mut dyn Tx,
        stage: CustomExtensionStage,
        req: &mut AssignmentRequest,
        assignment: Option<&Assignment>,
        policy: &Policy,
    ) -> Result<bool> {
        let Some(ext) = extension_for(tx, policy, stage).await? else {
            return Ok(false);
        };
        let waits_for = match stage {
            CustomExtensionStage::AssignmentRequestCreated
            | CustomExtensionStage::AssignmentRequestApproved => ext.waits_for(),
            _ => None,
        };
        let instance_id = new_id();
        let mut data = self
            .callout_data(tx, &ext, stage, &instance_id, Some(req), assignment, policy)
            .await?;
        data["@odata.type"] = "#microsoft.graph.accessPackageAssignmentRequestCalloutData".into();
        if let Some(d) = waits_for {
            data["callbackUriPath"] = format!(
                "/identityGovernance/entitlementManagement/accessPackageAssignmentRequests/{}/resume",
                req.id
            )
            .into();
            data["callbackConfiguration"] = json!({
                "@odata.type": "#microsoft.graph.customExtensionCallbackConfiguration",
                "timeoutDuration": d.to_iso(),
            });
        }
        let status = if waits_for.is_some() {
            "waitingForCallback"
        } else {
            "calloutSent"
        };
        req.custom_extension_callout_instances
            .push(instance(&instance_id, &ext.id, status));
        self.queue_callout(
            tx,
            &req.id,
            "request",
            &ext,
            &instance_id,
            waits_for.is_some(),
            stage,
            data,
        )
        .await?;
        if let Some(d) = waits_for {
            req.status = WAITING_FOR_CALLBACK.into();
            schedule(
                tx,
                WorkKind::CalloutTimeout,
                &req.id,
                self.now().add(d),
                Some(instance_id),
            )
            .await?;
        }
        Ok(waits_for.is_some())
    }

    /// Calls out at an assignment's pre-expiration stage, if its policy says so.
    pub(crate) async fn call_out_for_assignment(
        &self,
        tx: &mut dyn Tx,
        stage: CustomExtensionStage,
        a: &mut Assignment,
    ) -> Result<()> {
        let Some(policy) = tx.load::<Policy>(&a.policy_id).await? else {
            return Ok(());
        };
        let Some(ext) = extension_for(tx, &policy, stage).await? else {
            return Ok(());
        };
        let instance_id = new_id();
        let mut data = self
            .callout_data(tx, &ext, stage, &instance_id, None, Some(a), &policy)
            .await?;
        data["@odata.type"] = "#microsoft.graph.accessPackageAssignmentCalloutData".into();
        a.custom_extension_callout_instances
            .push(instance(&instance_id, &ext.id, "calloutSent"));
        self.queue_callout(
            tx,
            &a.id,
            "assignment",
            &ext,
            &instance_id,
            false,
            stage,
            data,
        )
        .await
    }

    #[allow(clippy::too_many_arguments)]
    async fn queue_callout(
        &self,
        tx: &mut dyn Tx,
        subject: &str,
        on: &str,
        ext: &CustomExtension,
        instance_id: &str,
        waits: bool,
        stage: CustomExtensionStage,
        data: Value,
    ) -> Result<()> {
        let payload = json!({
            "source": "EntitlementManagement",
            "type": format!("microsoft.graph.accessPackageCustomExtensionStage.{}", stage.as_str()),
            "data": data,
        });
        let pending = Pending {
            extension_id: ext.id.clone(),
            instance_id: instance_id.to_string(),
            on: on.to_string(),
            waits,
            payload,
        };
        let detail = serde_json::to_string(&pending)
            .map_err(|e| Error::Store(accessd_domain::StoreError::Other(e.to_string())))?;
        // One item per callout: the instance id is in the item's time-independent detail, so
        // the subject is made unique with it.
        schedule(
            tx,
            WorkKind::Callout,
            &format!("{subject}/{instance_id}"),
            self.now(),
            Some(detail),
        )
        .await
    }

    #[allow(clippy::too_many_arguments)]
    async fn callout_data(
        &self,
        tx: &mut dyn Tx,
        ext: &CustomExtension,
        stage: CustomExtensionStage,
        instance_id: &str,
        req: Option<&AssignmentRequest>,
        assignment: Option<&Assignment>,
        policy: &Policy,
    ) -> Result<Value> {
        let package = tx.load::<AccessPackage>(&policy.access_package_id).await?;
        let catalog = tx.load::<Catalog>(&policy.catalog_id).await?;
        let target_id = assignment
            .map(|a| a.target_id.clone())
            .or_else(|| req.and_then(|r| r.target_id.clone()));
        let target = match &target_id {
            Some(t) => tx.load::<Subject>(t).await?,
            None => None,
        };
        let subject = |s: &Option<Subject>| {
            s.as_ref().map(|s| {
                json!({"id": s.id, "objectId": s.object_id, "displayName": s.display_name,
                       "email": s.email, "principalName": s.principal_name})
            })
        };
        let requestor = match req.and_then(|r| r.requestor_id.clone()) {
            Some(r) => tx.load::<Subject>(&r).await?,
            None => None,
        };
        let mut data = json!({
            "stage": stage.as_str(),
            "customExtensionStageInstanceId": instance_id,
            "customExtensionStageInstanceDetail": stage_detail(stage),
            "customExtensionId": ext.id,
            "accessPackage": package.map(|p| brief(&p.id, &p.display_name, &p.description)),
            "accessPackageCatalog": catalog.map(|c| brief(&c.id, &c.display_name, &c.description)),
            "assignmentPolicy": {"id": policy.id, "displayName": policy.display_name},
            "assignment": assignment.map(|a| json!({
                "id": a.id, "state": a.state.as_str(), "status": a.status,
                "schedule": {"startDateTime": a.schedule.start_date_time.map(|t| t.to_wire()),
                             "endDateTime": crate::lifecycle::grant::end_of(&a.schedule).map(|t| t.to_wire())},
                "target": subject(&target),
            })),
            "target": subject(&target),
        });
        if let Some(r) = req {
            data["accessPackageAssignmentRequestId"] = r.id.clone().into();
            data["requestType"] = r.request_type.as_str().into();
            data["state"] = r.state.as_str().into();
            data["status"] = r.status.clone().into();
            data["answers"] = Value::Array(r.answers.clone());
            data["requestor"] = subject(&requestor).unwrap_or(Value::Null);
        }
        Ok(data)
    }

    /// Due work of kind `Callout`: sends it outside any transaction, then records the outcome.
    pub(crate) async fn send_callout(&self, w: &DueWork) -> Result<()> {
        let Some(pending) = w
            .detail
            .as_deref()
            .and_then(|d| serde_json::from_str::<Pending>(d).ok())
        else {
            let mut tx = self.begin().await?;
            tx.delete(Kind::DueWork, &w.id).await?;
            return Ok(tx.commit().await?);
        };
        let ext = {
            let mut tx = self.store.read().await?;
            tx.load::<CustomExtension>(&pending.extension_id).await?
        };
        let outcome = match (&ext, ext.as_ref().and_then(|e| e.url()), &self.callouts) {
            (None, ..) => Err("the custom extension no longer exists".to_string()),
            (_, None, _) => Err("the custom extension has no endpoint URL".to_string()),
            (_, _, None) => Err("accessd was started without an HTTP client for callouts".into()),
            (Some(e), Some(url), Some(sender)) => {
                match sender.send(url, &pending.payload, e.timeout_ms()).await {
                    Ok(code) if (200..300).contains(&code) => Ok(code),
                    Ok(code) => Err(format!("the endpoint answered {code}")),
                    Err(e) => Err(e),
                }
            }
        };
        let retries = ext.as_ref().map_or(0, CustomExtension::max_retries);
        let mut tx = self.begin().await?;
        let Some(mut cur) = tx.load::<DueWork>(&w.id).await? else {
            return Ok(());
        };
        tx.delete(Kind::DueWork, &cur.id).await?;
        let answer = match &outcome {
            Ok(code) => code.to_string(),
            Err(why) => why.clone(),
        };
        crate::outbox::callout(
            &mut *tx,
            ext.as_ref().and_then(|e| e.url()),
            &pending.payload,
            answer,
            self.now(),
        )
        .await?;
        match outcome {
            Ok(_) => {
                tracing::info!(extension = %pending.extension_id, instance = %pending.instance_id, "custom extension called");
            }
            Err(why) if cur.attempts < retries => {
                tracing::warn!(extension = %pending.extension_id, error = %why, attempt = cur.attempts + 1, "custom extension callout failed; retrying");
                cur.attempts += 1;
                cur.due = self.now().add(Duration::minutes(1));
                tx.create(&cur).await?;
            }
            Err(why) => {
                tracing::warn!(extension = %pending.extension_id, error = %why, "custom extension callout failed");
                self.callout_failed(&mut *tx, &cur, &pending, &why).await?;
            }
        }
        tx.commit().await?;
        Ok(())
    }

    async fn callout_failed(
        &self,
        tx: &mut dyn Tx,
        w: &DueWork,
        pending: &Pending,
        why: &str,
    ) -> Result<()> {
        let subject = w
            .subject_id
            .split_once('/')
            .map_or(w.subject_id.as_str(), |(s, _)| s);
        if pending.on == "assignment" {
            if let Some(mut a) = tx.load::<Assignment>(subject).await? {
                set_instance_status(
                    &mut a.custom_extension_callout_instances,
                    &pending.instance_id,
                    "calloutFailed",
                    Some(why),
                );
                tx.save(&a).await?;
            }
            return Ok(());
        }
        let Some(mut req) = tx.load::<AssignmentRequest>(subject).await? else {
            return Ok(());
        };
        set_instance_status(
            &mut req.custom_extension_callout_instances,
            &pending.instance_id,
            "calloutFailed",
            Some(why),
        );
        if pending.waits && req.status == WAITING_FOR_CALLBACK {
            // Nothing will call back: the request fails as if the wait had timed out.
            unschedule(tx, &req.id, &[WorkKind::CalloutTimeout]).await?;
            self.fail_waiting(tx, &mut req).await?;
        }
        tx.save(&req).await?;
        Ok(())
    }

    async fn fail_waiting(&self, tx: &mut dyn Tx, req: &mut AssignmentRequest) -> Result<()> {
        let now = self.now();
        let before = req.clone();
        request_to(req, RequestEvent::Deny, impossible("denied"))?;
        req.completed_date_time = Some(now);
        if let Some(a) = req.assignment_id.clone()
            && let Some(mut a) = tx.load::<Assignment>(&a).await?
        {
            crate::lifecycle::grant::remove(
                tx,
                &mut a,
                crate::lifecycle::AssignmentEvent::Remove,
                now,
            )
            .await?;
        }
        audit::request_changed(tx, &Change::system(), &before, req, now).await
    }

    /// Due work of kind `CalloutTimeout`: the callback did not come in time.
    pub(crate) async fn callout_timed_out(
        &self,
        tx: &mut dyn Tx,
        request_id: &str,
        instance_id: Option<&str>,
    ) -> Result<()> {
        let Some(mut req) = tx.load::<AssignmentRequest>(request_id).await? else {
            return Ok(());
        };
        let Some(instance_id) = instance_id else {
            return Ok(());
        };
        let waiting = req.custom_extension_callout_instances.iter().any(|i| {
            i.get("id").and_then(Value::as_str) == Some(instance_id)
                && i.get("status").and_then(Value::as_str) == Some("waitingForCallback")
        });
        if !waiting || req.status != WAITING_FOR_CALLBACK {
            return Ok(());
        }
        set_instance_status(
            &mut req.custom_extension_callout_instances,
            instance_id,
            "callbackTimedOut",
            None,
        );
        self.fail_waiting(tx, &mut req).await?;
        tx.save(&req).await?;
        Ok(())
    }

    /// `resume`: a custom extension's callback to a request waiting for it.
    pub async fn resume_request(
        &self,
        p: &Principal,
        id: &str,
        r: Resume,
    ) -> Result<AssignmentRequest> {
        let mut tx = self.begin().await?;
        let mut req = tx
            .load::<AssignmentRequest>(id)
            .await?
            .ok_or_else(|| Error::not_found("assignment request", id))?;
        self.authorize_in(
            &mut *tx,
            p,
            Op::Resume,
            Res::Request,
            &crate::requests::request_obj(&req),
        )
        .await?;
        if req.status != WAITING_FOR_CALLBACK {
            return Err(Error::refused(
                "RequestNotWaitingForCallback",
                format!("The request '{id}' is not waiting for a custom extension callback."),
            ));
        }
        let waiting = req
            .custom_extension_callout_instances
            .iter()
            .find(|i| i.get("status").and_then(Value::as_str) == Some("waitingForCallback"))
            .and_then(|i| i.get("id").and_then(Value::as_str).map(str::to_string))
            .unwrap_or_default();
        if let Some(given) = &r.instance_id
            && !given.eq_ignore_ascii_case(&waiting)
        {
            return Err(Error::invalid(
                "data.customExtensionStageInstanceId",
                format!("The request '{id}' is not waiting for the callout '{given}'."),
            ));
        }
        let policy = match req.policy_id.clone() {
            Some(pid) => tx.load::<Policy>(&pid).await?,
            None => None,
        }
        .ok_or_else(|| Error::not_found("assignment policy", id))?;
        let stage = policy
            .custom_extension_stage_settings
            .iter()
            .find(|s| {
                req.custom_extension_callout_instances.iter().any(|i| {
                    i.get("id").and_then(Value::as_str) == Some(waiting.as_str())
                        && i.get("customExtensionId").and_then(Value::as_str)
                            == s.custom_extension_id.as_deref()
                })
            })
            .map(|s| s.stage)
            .or(r.stage)
            .unwrap_or(CustomExtensionStage::AssignmentRequestCreated);
        if let Some(given) = r.stage
            && given != stage
        {
            return Err(Error::invalid(
                "data.stage",
                format!(
                    "The request '{id}' waits for a callback at the stage '{}', not '{}'.",
                    stage.as_str(),
                    given.as_str()
                ),
            ));
        }
        set_instance_status(
            &mut req.custom_extension_callout_instances,
            &waiting,
            "callbackReceived",
            r.detail.as_deref(),
        );
        unschedule(&mut *tx, &req.id, &[WorkKind::CalloutTimeout]).await?;
        let change = Change::of(&mut *tx, p).await?;
        let now = self.now();
        let before = req.clone();
        match (
            r.state.as_deref().map(str::to_ascii_lowercase).as_deref(),
            stage,
        ) {
            (Some("denied"), CustomExtensionStage::AssignmentRequestCreated) => {
                request_to(&mut req, RequestEvent::Deny, impossible("denied"))?;
                req.completed_date_time = Some(now);
                audit::request_changed(&mut *tx, &change, &before, &req, now).await?;
            }
            (Some("canceled"), CustomExtensionStage::AssignmentRequestCreated) => {
                request_to(&mut req, RequestEvent::Cancel, impossible("canceled"))?;
                req.completed_date_time = Some(now);
                audit::request_changed(&mut *tx, &change, &before, &req, now).await?;
            }
            (Some(other), _) => {
                return Err(Error::invalid(
                    "data.state",
                    format!(
                        "The state '{other}' cannot be set by a callback at the stage '{}': only Denied and Canceled, at assignmentRequestCreated.",
                        stage.as_str()
                    ),
                ));
            }
            (None, CustomExtensionStage::AssignmentRequestCreated) => {
                req.status = status_of(req.state).into();
                self.carry_on(&mut *tx, &mut req, &policy, &change).await?;
            }
            (None, _) => {
                req.status = status_of(req.state).into();
                self.grant(&mut *tx, &mut req, &policy, &change).await?;
            }
        }
        tx.save(&req).await?;
        tx.commit().await?;
        Ok(req)
    }
}

/// The status a request in `state` shows when nothing else is going on.
fn status_of(state: RequestState) -> &'static str {
    match state {
        RequestState::PendingApproval => "PendingApproval",
        _ => "Accepted",
    }
}

async fn extension_for(
    tx: &mut dyn Tx,
    policy: &Policy,
    stage: CustomExtensionStage,
) -> Result<Option<CustomExtension>> {
    let Some(id) = policy
        .custom_extension_stage_settings
        .iter()
        .find(|s| s.stage == stage)
        .and_then(|s| s.custom_extension_id.clone())
    else {
        return Ok(None);
    };
    Ok(tx.load::<CustomExtension>(&id).await?)
}

/// What an extension must have.
fn check(ext: &CustomExtension) -> Result<()> {
    match ext.display_name.as_deref().map(str::trim) {
        Some(n) if !n.is_empty() => {}
        _ => {
            return Err(Error::invalid(
                "displayName",
                "The property 'displayName' is required.",
            ));
        }
    }
    if ext.endpoint_configuration.is_none() {
        return Err(Error::invalid(
            "endpointConfiguration",
            "The property 'endpointConfiguration' is required.",
        ));
    }
    if let Some(u) = ext.url()
        && !(u.starts_with("https://") || u.starts_with("http://"))
    {
        return Err(Error::invalid(
            "endpointConfiguration.url",
            format!("The endpoint '{u}' is not an http or https URL."),
        ));
    }
    if let Some(c) = &ext.callback_configuration
        && let Some(d) = c.get("timeoutDuration").and_then(Value::as_str)
    {
        let ok = Duration::parse(d)
            .ok()
            .is_some_and(|d| (5..=14 * 24 * 60).contains(&d.whole_minutes()));
        if !ok {
            return Err(Error::invalid(
                "callbackConfiguration.timeoutDuration",
                format!(
                    "The callback timeout '{d}' must be a duration between 5 minutes and 14 days."
                ),
            ));
        }
    }
    Ok(())
}
