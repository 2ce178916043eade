//! Closed value sets of the model. Each member has one storage name (Graph's v1.0 spelling);
//! the wire spellings of each dialect live in `accessd-api`.

/// Declares a closed enum with a stable storage name per member.
#[macro_export]
macro_rules! named_enum {
    ($(#[$m:meta])* $vis:vis enum $name:ident { $($(#[$vm:meta])* $variant:ident = $s:literal),* $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        $vis enum $name { $( $(#[$vm])* #[serde(rename = $s)] $variant ),* }
        impl $name {
            /// Every member, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),*];
            /// The storage (and v1.0 wire) name.
            pub fn as_str(self) -> &'static str { match self { $($name::$variant => $s),* } }
            /// The member whose storage name is `s`, exactly.
            pub fn parse(s: &str) -> Option<$name> { match s { $($s => Some($name::$variant),)* _ => None } }
            /// The member whose name matches `s` ignoring case (`Delivered`, `delivered`).
            pub fn parse_ignore_case(s: &str) -> Option<$name> {
                $name::ALL.iter().copied().find(|v| v.as_str().eq_ignore_ascii_case(s))
            }
            /// The name with its first letter upper-cased, as beta's string properties spell it.
            pub fn pascal(self) -> String {
                let s = self.as_str();
                let mut c = s.chars();
                match c.next() { Some(f) => f.to_ascii_uppercase().to_string() + c.as_str(), None => String::new() }
            }
        }
        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result { f.write_str(self.as_str()) }
        }
    };
}

named_enum! {
    pub enum CatalogType { UserManaged = "userManaged", ServiceDefault = "serviceDefault", ServiceManaged = "serviceManaged" }
}
named_enum! {
    pub enum CatalogState { Unpublished = "unpublished", Published = "published" }
}
named_enum! {
    pub enum PrivilegeLevel { Standard = "standard", Privileged = "privileged" }
}
named_enum! {
    pub enum AssignmentState {
        Delivering = "delivering", PartiallyDelivered = "partiallyDelivered", Delivered = "delivered",
        Expired = "expired", DeliveryFailed = "deliveryFailed",
    }
}
named_enum! {
    pub enum RequestState {
        Submitted = "submitted", PendingApproval = "pendingApproval", Delivering = "delivering",
        Delivered = "delivered", DeliveryFailed = "deliveryFailed", Denied = "denied",
        Scheduled = "scheduled", Canceled = "canceled", PartiallyDelivered = "partiallyDelivered",
    }
}
named_enum! {
    /// The union of v1.0's `accessPackageRequestType` and the values beta's string property uses
    /// (`UserExtend`, `AdminExtend`).
    pub enum RequestType {
        NotSpecified = "notSpecified", UserAdd = "userAdd", UserUpdate = "userUpdate",
        UserRemove = "userRemove", AdminAdd = "adminAdd", AdminUpdate = "adminUpdate",
        AdminRemove = "adminRemove", SystemAdd = "systemAdd", SystemUpdate = "systemUpdate",
        SystemRemove = "systemRemove", OnBehalfAdd = "onBehalfAdd", ApproverRemove = "approverRemove",
        UserExtend = "userExtend", AdminExtend = "adminExtend",
    }
}
named_enum! {
    pub enum SubjectType { NotSpecified = "notSpecified", User = "user", ServicePrincipal = "servicePrincipal" }
}
named_enum! {
    pub enum ConnectedOrganizationState { Configured = "configured", Proposed = "proposed" }
}
named_enum! {
    pub enum SubjectLifecycle { NotDefined = "notDefined", NotGoverned = "notGoverned", Governed = "governed" }
}
named_enum! {
    pub enum ExpirationType {
        NotSpecified = "notSpecified", NoExpiration = "noExpiration",
        AfterDateTime = "afterDateTime", AfterDuration = "afterDuration",
    }
}
named_enum! {
    /// Who may be a target of a policy: the union of v1.0's `allowedTargetScope` and beta's
    /// `requestorSettings.scopeType` (mapped in `docs/dialects.md`).
    pub enum TargetScope {
        NotSpecified = "notSpecified",
        SpecificDirectoryUsers = "specificDirectoryUsers",
        SpecificConnectedOrganizationUsers = "specificConnectedOrganizationUsers",
        SpecificDirectoryServicePrincipals = "specificDirectoryServicePrincipals",
        AllMemberUsers = "allMemberUsers",
        AllDirectoryUsers = "allDirectoryUsers",
        AllDirectoryServicePrincipals = "allDirectoryServicePrincipals",
        AllConfiguredConnectedOrganizationUsers = "allConfiguredConnectedOrganizationUsers",
        AllExternalUsers = "allExternalUsers",
        AllDirectoryAgentIdentities = "allDirectoryAgentIdentities",
        /// beta `AllExistingConnectedOrganizationSubjects`: v1.0 reads it as `allExternalUsers`.
        AllExistingConnectedOrganizationUsers = "allExistingConnectedOrganizationUsers",
    }
}
named_enum! {
    pub enum ApprovalMode { NoApproval = "noApproval", SingleStage = "singleStage", Serial = "serial", Parallel = "parallel" }
}
named_enum! {
    pub enum ApproverInformationVisibility { Default = "default", NotVisible = "notVisible", Visible = "visible" }
}
named_enum! {
    pub enum ReviewExpirationBehavior { KeepAccess = "keepAccess", RemoveAccess = "removeAccess", AcceptAccessRecommendation = "acceptAccessRecommendation" }
}
named_enum! {
    /// beta `assignmentReviewSettings.recurrenceType`.
    pub enum ReviewRecurrence { Weekly = "weekly", Monthly = "monthly", Quarterly = "quarterly", HalfYearly = "halfyearly", Annual = "annual" }
}
named_enum! {
    /// beta `assignmentReviewSettings.reviewerType`.
    pub enum ReviewerType { SelfReview = "self", Reviewers = "reviewers", Manager = "manager" }
}
named_enum! {
    pub enum CustomExtensionStage {
        AssignmentRequestCreated = "assignmentRequestCreated", AssignmentRequestApproved = "assignmentRequestApproved",
        AssignmentRequestGranted = "assignmentRequestGranted", AssignmentRequestRemoved = "assignmentRequestRemoved",
        AssignmentFourteenDaysBeforeExpiration = "assignmentFourteenDaysBeforeExpiration",
        AssignmentOneDayBeforeExpiration = "assignmentOneDayBeforeExpiration",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for s in AssignmentState::ALL {
            assert_eq!(AssignmentState::parse(s.as_str()), Some(*s));
        }
        assert_eq!(
            AssignmentState::parse_ignore_case("Delivered"),
            Some(AssignmentState::Delivered)
        );
        assert_eq!(
            AssignmentState::PartiallyDelivered.pascal(),
            "PartiallyDelivered"
        );
        assert_eq!(AssignmentState::parse("Assignment State value"), None);
    }
}
