//! The tenant's entitlement-management settings (`entitlementManagement/settings`): what
//! happens to an external user whose last assignment ends. Kept in the store's meta, with the
//! real service's defaults until changed.

use serde::{Deserialize, Serialize};

use crate::authz::{Obj, Op, Res};
use crate::{Engine, Error, Result};

const META_KEY: &str = "em_settings";

/// `accessPackageExternalUserLifecycleAction`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ExternalUserAction {
    None,
    BlockSignIn,
    BlockSignInAndDelete,
}

impl ExternalUserAction {
    /// v1.0's spelling (`blockSignInAndDelete`).
    pub fn v1(self) -> &'static str {
        match self {
            ExternalUserAction::None => "none",
            ExternalUserAction::BlockSignIn => "blockSignIn",
            ExternalUserAction::BlockSignInAndDelete => "blockSignInAndDelete",
        }
    }

    /// beta's (`BlockSignInAndDelete`).
    pub fn beta(self) -> &'static str {
        match self {
            ExternalUserAction::None => "None",
            ExternalUserAction::BlockSignIn => "BlockSignIn",
            ExternalUserAction::BlockSignInAndDelete => "BlockSignInAndDelete",
        }
    }

    /// Either spelling, any case.
    pub fn parse(s: &str) -> Option<ExternalUserAction> {
        [
            ExternalUserAction::None,
            ExternalUserAction::BlockSignIn,
            ExternalUserAction::BlockSignInAndDelete,
        ]
        .into_iter()
        .find(|a| a.v1().eq_ignore_ascii_case(s))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmSettings {
    pub external_user_lifecycle_action: ExternalUserAction,
    /// Days between blocking an external user's sign-in and deleting them.
    pub days_until_external_user_deleted_after_blocked: u32,
}

impl Default for EmSettings {
    fn default() -> Self {
        EmSettings {
            external_user_lifecycle_action: ExternalUserAction::BlockSignInAndDelete,
            days_until_external_user_deleted_after_blocked: 30,
        }
    }
}

/// The settings as a transaction sees them.
pub(crate) async fn settings_in(tx: &mut dyn accessd_domain::Tx) -> Result<EmSettings> {
    Ok(match tx.meta_get(META_KEY).await? {
        Some(json) => serde_json::from_str(&json).unwrap_or_default(),
        None => EmSettings::default(),
    })
}

impl Engine {
    pub async fn settings(&self, p: &accessd_domain::Principal) -> Result<EmSettings> {
        let mut tx = self.store.read().await?;
        self.authorize_in(&mut *tx, p, Op::Get, Res::Settings, &Obj::new("settings"))
            .await?;
        Ok(match tx.meta_get(META_KEY).await? {
            Some(json) => serde_json::from_str(&json).unwrap_or_default(),
            None => EmSettings::default(),
        })
    }

    pub async fn update_settings<F>(
        &self,
        p: &accessd_domain::Principal,
        change: F,
    ) -> Result<EmSettings>
    where
        F: FnOnce(&mut EmSettings) -> Result<()> + Send,
    {
        let mut tx = self.begin().await?;
        self.authorize_in(
            &mut *tx,
            p,
            Op::Update,
            Res::Settings,
            &Obj::new("settings"),
        )
        .await?;
        let mut s = match tx.meta_get(META_KEY).await? {
            Some(json) => serde_json::from_str(&json).unwrap_or_default(),
            None => EmSettings::default(),
        };
        change(&mut s)?;
        if s.days_until_external_user_deleted_after_blocked > 365 {
            return Err(Error::invalid(
                "durationUntilExternalUserDeletedAfterBlocked",
                "An external user is deleted at most 365 days after being blocked.",
            ));
        }
        let json = serde_json::to_string(&s)
            .map_err(|e| Error::Store(accessd_domain::StoreError::Other(e.to_string())))?;
        tx.meta_put(META_KEY, &json).await?;
        tx.commit().await?;
        Ok(s)
    }
}
