//! The lifecycle engine: how a request goes through approval to delivery, how an assignment is
//! delivered, expires and is removed, and the work that falls due on the engine's clock. The
//! state machines are data (the tables below, written out in `docs/lifecycle.md`); every change
//! of state goes through [`request_to`] or [`assignment_to`], which refuse a transition the
//! table does not have.

use accessd_domain::{Assignment, AssignmentRequest, AssignmentState, RequestState};

use crate::{Error, Result};

pub mod approvals;
pub mod auto;
pub mod due;
pub mod external;
pub mod grant;

/// What happens to a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestEvent {
    /// The policy wants approval.
    AwaitApproval,
    /// The stage went to the escalation approvers.
    Escalate,
    /// Approved (or no approval needed), starting later.
    Schedule,
    /// Approved (or no approval needed), starting now; or a scheduled start that came.
    Deliver,
    Delivered,
    PartiallyDelivered,
    DeliveryFailed,
    Deny,
    /// Nobody approved in time.
    TimeOut,
    Cancel,
    /// `reprocess` of a request whose delivery failed.
    Reprocess,
}

use RequestEvent as E;
use RequestState as S;

/// The request state machine: (from, event, to, status). `status` is the `status` (beta
/// `requestStatus`) string the request shows in the new state.
pub const REQUEST_MACHINE: &[(RequestState, RequestEvent, RequestState, &str)] = &[
    (
        S::Submitted,
        E::AwaitApproval,
        S::PendingApproval,
        "PendingApproval",
    ),
    (S::Submitted, E::Schedule, S::Scheduled, "PendingNotBefore"),
    (S::Submitted, E::Deliver, S::Delivering, "Delivering"),
    (S::Submitted, E::Deny, S::Denied, "Denied"),
    (S::Submitted, E::Cancel, S::Canceled, "Canceled"),
    (
        S::PendingApproval,
        E::Escalate,
        S::PendingApproval,
        "PendingApprovalEscalated",
    ),
    (
        S::PendingApproval,
        E::AwaitApproval,
        S::PendingApproval,
        "PendingApproval",
    ),
    (
        S::PendingApproval,
        E::Schedule,
        S::Scheduled,
        "PendingNotBefore",
    ),
    (S::PendingApproval, E::Deliver, S::Delivering, "Delivering"),
    (S::PendingApproval, E::Deny, S::Denied, "Denied"),
    (S::PendingApproval, E::TimeOut, S::Denied, "Expired"),
    (S::PendingApproval, E::Cancel, S::Canceled, "Canceled"),
    (S::Scheduled, E::Deliver, S::Delivering, "Delivering"),
    (S::Scheduled, E::Cancel, S::Canceled, "Canceled"),
    (S::Delivering, E::Delivered, S::Delivered, "Delivered"),
    (
        S::Delivering,
        E::PartiallyDelivered,
        S::PartiallyDelivered,
        "PartiallyDelivered",
    ),
    (
        S::Delivering,
        E::DeliveryFailed,
        S::DeliveryFailed,
        "DeliveryFailed",
    ),
    (
        S::PartiallyDelivered,
        E::Reprocess,
        S::Delivering,
        "Delivering",
    ),
    (S::DeliveryFailed, E::Reprocess, S::Delivering, "Delivering"),
];

/// Whether a request in `state` is still open (not finished one way or another).
pub fn is_open(state: RequestState) -> bool {
    matches!(
        state,
        S::Submitted | S::PendingApproval | S::Scheduled | S::Delivering
    )
}

/// Moves a request through `event`, or refuses with `refusal` when the machine has no such
/// transition from its state.
pub fn request_to(
    r: &mut AssignmentRequest,
    event: RequestEvent,
    refusal: impl FnOnce(RequestState) -> Error,
) -> Result<()> {
    match REQUEST_MACHINE
        .iter()
        .find(|(from, e, _, _)| *from == r.state && *e == event)
    {
        Some((_, _, to, status)) => {
            r.state = *to;
            r.status = (*status).to_string();
            Ok(())
        }
        None => Err(refusal(r.state)),
    }
}

/// The refusal for a transition the engine itself asked for: a bug, not the caller's fault.
pub fn impossible(what: &'static str) -> impl FnOnce(RequestState) -> Error {
    move |from| Error::Conflict {
        code: "InvalidRequestState",
        message: format!("The request is {from} and cannot be {what}."),
    }
}

/// What happens to an assignment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AssignmentEvent {
    Delivered,
    PartiallyDelivered,
    DeliveryFailed,
    /// Its end came (the policy's or the request's expiration).
    Expire,
    /// Removed by a request (adminRemove, userRemove) or a direct delete.
    Remove,
    /// `reprocess`: deliver again what should be there.
    Reprocess,
}

use AssignmentEvent as AE;
use AssignmentState as AS;

/// The assignment state machine: (from, event, to, status).
pub const ASSIGNMENT_MACHINE: &[(AssignmentState, AssignmentEvent, AssignmentState, &str)] = &[
    (AS::Delivering, AE::Delivered, AS::Delivered, "Delivered"),
    (
        AS::Delivering,
        AE::PartiallyDelivered,
        AS::PartiallyDelivered,
        "PartiallyDelivered",
    ),
    (
        AS::Delivering,
        AE::DeliveryFailed,
        AS::DeliveryFailed,
        "DeliveryFailed",
    ),
    (
        AS::Delivered,
        AE::Expire,
        AS::Expired,
        "ExpiredNotificationTriggered",
    ),
    (
        AS::PartiallyDelivered,
        AE::Expire,
        AS::Expired,
        "ExpiredNotificationTriggered",
    ),
    (
        AS::DeliveryFailed,
        AE::Expire,
        AS::Expired,
        "ExpiredNotificationTriggered",
    ),
    (
        AS::Delivering,
        AE::Expire,
        AS::Expired,
        "ExpiredNotificationTriggered",
    ),
    (AS::Delivered, AE::Remove, AS::Expired, "Expired"),
    (AS::PartiallyDelivered, AE::Remove, AS::Expired, "Expired"),
    (AS::DeliveryFailed, AE::Remove, AS::Expired, "Expired"),
    (AS::Delivering, AE::Remove, AS::Expired, "Expired"),
    (AS::Delivered, AE::Reprocess, AS::Delivering, "Delivering"),
    (
        AS::PartiallyDelivered,
        AE::Reprocess,
        AS::Delivering,
        "Delivering",
    ),
    (
        AS::DeliveryFailed,
        AE::Reprocess,
        AS::Delivering,
        "Delivering",
    ),
];

/// Moves an assignment through `event`; `false` (and no change) when the machine has no such
/// transition from its state.
pub fn assignment_to(a: &mut Assignment, event: AssignmentEvent) -> bool {
    match ASSIGNMENT_MACHINE
        .iter()
        .find(|(from, e, _, _)| *from == a.state && *e == event)
    {
        Some((_, _, to, status)) => {
            a.state = *to;
            a.status = (*status).to_string();
            true
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use accessd_domain::RequestType;

    #[test]
    fn every_request_state_but_the_final_ones_has_a_way_out() {
        for s in RequestState::ALL {
            let out = REQUEST_MACHINE.iter().any(|(from, ..)| from == s);
            let fin = matches!(s, S::Delivered | S::Denied | S::Canceled);
            assert_eq!(out, !fin, "{s}");
        }
    }

    #[test]
    fn a_transition_the_machine_lacks_is_refused_and_changes_nothing() {
        let mut r = accessd_domain_request();
        r.state = S::Delivered;
        r.status = "Delivered".into();
        let e = request_to(&mut r, E::Cancel, impossible("canceled")).unwrap_err();
        assert!(matches!(e, Error::Conflict { .. }));
        assert_eq!((r.state, r.status.as_str()), (S::Delivered, "Delivered"));
        r.state = S::PendingApproval;
        request_to(&mut r, E::TimeOut, impossible("timed out")).unwrap();
        assert_eq!((r.state, r.status.as_str()), (S::Denied, "Expired"));
    }

    fn accessd_domain_request() -> AssignmentRequest {
        let t = accessd_domain::Timestamp::parse("2030-01-01T00:00:00Z").unwrap();
        AssignmentRequest {
            id: "r".into(),
            request_type: RequestType::UserAdd,
            state: S::Submitted,
            status: "Accepted".into(),
            created_date_time: t,
            completed_date_time: None,
            expiration_date_time: None,
            schedule: Default::default(),
            justification: None,
            answers: vec![],
            catalog_id: None,
            access_package_id: None,
            policy_id: None,
            assignment_id: None,
            requestor_id: None,
            requestor_object_id: None,
            target_id: None,
            target_object_id: None,
            is_validation_only: false,
            created_by: None,
            custom_extension_callout_instances: vec![],
        }
    }
}
