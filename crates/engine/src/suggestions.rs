//! Access package suggestions (`accessPackageSuggestions`): for the signed-in user, the packages
//! they may request and do not hold, with why each is suggested: people related to them (their
//! manager, the people who share their manager, their direct reports) hold it, or they held it
//! themselves before. The reasons are computed from the directory and the assignments each time;
//! nothing is stored.

use std::collections::BTreeMap;

use accessd_domain::store::TxExt;
use accessd_domain::*;

use crate::authz::{Obj, Op, Res};
use crate::{Engine, Error, Result};

/// Which reasons count (`accessPackageSuggestionFilterByCurrentUserOptions`, a flags enum).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reasons {
    pub related_people: bool,
    pub history: bool,
}

impl Reasons {
    pub const ALL: Reasons = Reasons {
        related_people: true,
        history: true,
    };
}

/// Someone related to the user who holds the package.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    pub id: String,
    pub display_name: Option<String>,
}

/// One suggestion: a package and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Suggestion {
    pub package: AccessPackage,
    /// Related people who hold it (empty: not a reason).
    pub related_people: Vec<Person>,
    /// The user's own past assignments of it: how many, and when the last began.
    pub past: Option<(usize, Timestamp)>,
}

/// The people related to `me`: their manager, the others with the same manager, their reports.
fn related(users: &[User], me: &User) -> Vec<Person> {
    users
        .iter()
        .filter(|u| u.id != me.id)
        .filter(|u| {
            Some(&u.id) == me.manager_id.as_ref()
                || (me.manager_id.is_some() && u.manager_id == me.manager_id)
                || u.manager_id.as_deref() == Some(me.id.as_str())
        })
        .map(|u| Person {
            id: u.id.clone(),
            display_name: u.display_name.clone(),
        })
        .collect()
}

fn started(a: &Assignment) -> Timestamp {
    a.schedule.start_date_time.unwrap_or(a.created_date_time)
}

impl Engine {
    /// The signed-in user's suggestions, most related people first.
    pub async fn suggestions(&self, p: &Principal, reasons: Reasons) -> Result<Vec<Suggestion>> {
        if p.kind != PrincipalKind::User {
            return Err(Error::refused(
                "BadRequest",
                "Access package suggestions are for a signed-in user; an application has none.",
            ));
        }
        let mut tx = self.store.read().await?;
        self.check_in(&mut *tx, p, Op::Mine, Res::AccessPackage, &Obj::default())
            .await?
            .own(true)?;
        let Some(me) = tx.load::<User>(&p.object_id).await? else {
            return Ok(vec![]);
        };
        let held = |a: &Assignment| a.state != AssignmentState::Expired;
        let mine = tx
            .find::<Assignment>(&Query::filtered(Expr::col_eq(
                "target_object_id",
                me.id.as_str(),
            )))
            .await?;
        let people = if reasons.related_people {
            let users = tx.find::<User>(&Query::default()).await?;
            related(&users, &me)
        } else {
            vec![]
        };
        // What related people hold, package by package.
        let mut holders: BTreeMap<String, Vec<Person>> = BTreeMap::new();
        for person in &people {
            let theirs = tx
                .find::<Assignment>(&Query::filtered(Expr::col_eq(
                    "target_object_id",
                    person.id.as_str(),
                )))
                .await?;
            let mut seen = Vec::new();
            for a in theirs.iter().filter(|a| held(a)) {
                if !seen.contains(&a.access_package_id) {
                    seen.push(a.access_package_id.clone());
                    holders
                        .entry(a.access_package_id.clone())
                        .or_default()
                        .push(person.clone());
                }
            }
        }
        let mut out = Vec::new();
        for id in crate::eligibility::allowed_packages(&mut *tx, &me.id).await? {
            if mine.iter().any(|a| a.access_package_id == id && held(a)) {
                continue;
            }
            let Some(package) = tx
                .load::<AccessPackage>(&id)
                .await?
                .filter(|p| !p.is_hidden)
            else {
                continue;
            };
            let related_people = holders.remove(&id).unwrap_or_default();
            let past: Vec<&Assignment> = if reasons.history {
                mine.iter().filter(|a| a.access_package_id == id).collect()
            } else {
                vec![]
            };
            let past = past
                .iter()
                .map(|a| started(a))
                .max()
                .map(|last| (past.len(), last));
            if related_people.is_empty() && past.is_none() {
                continue;
            }
            out.push(Suggestion {
                package,
                related_people,
                past,
            });
        }
        out.sort_by(|a, b| {
            b.related_people
                .len()
                .cmp(&a.related_people.len())
                .then(b.past.map(|p| p.0).cmp(&a.past.map(|p| p.0)))
                .then(a.package.display_name.cmp(&b.package.display_name))
        });
        Ok(out)
    }
}
