//! Entra's membership rules (`attributeRuleMembers.membershipRule`, the language of dynamic
//! groups), for the users of accessd's directory: `user.department -eq "Sales"`,
//! `(user.jobTitle -startsWith "Eng") -and -not (user.userType -eq "Guest")`,
//! `user.country -in ["DE","FR"]`. Operators and property names compare without case, as
//! Entra's do, and so do string values. What accessd's users do not have is null.

use accessd_domain::User;

use crate::{Error, Result};

#[derive(Debug, Clone, PartialEq)]
pub enum Rule {
    Cmp(String, Op, Lit),
    And(Box<Rule>, Box<Rule>),
    Or(Box<Rule>, Box<Rule>),
    Not(Box<Rule>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Eq,
    Ne,
    StartsWith,
    NotStartsWith,
    Contains,
    NotContains,
    In,
    NotIn,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Lit {
    Str(String),
    Bool(bool),
    Null,
    List(Vec<String>),
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    LParen,
    RParen,
    Word(String),
    Str(String),
    List(Vec<String>),
}

fn bad(rule: &str, why: &str) -> Error {
    Error::invalid(
        "membershipRule",
        format!("The membership rule '{rule}' is not valid: {why}."),
    )
}

fn lex(rule: &str) -> Result<Vec<Tok>> {
    let mut out = Vec::new();
    let cs: Vec<char> = rule.chars().collect();
    let mut i = 0;
    while i < cs.len() {
        let c = cs[i];
        match c {
            c if c.is_whitespace() => i += 1,
            '(' => {
                out.push(Tok::LParen);
                i += 1;
            }
            ')' => {
                out.push(Tok::RParen);
                i += 1;
            }
            '"' | '\u{201c}' | '\u{201d}' => {
                let (s, next) =
                    string(&cs, i + 1).ok_or_else(|| bad(rule, "a string is not closed"))?;
                out.push(Tok::Str(s));
                i = next;
            }
            '[' => {
                let mut items = Vec::new();
                i += 1;
                loop {
                    while i < cs.len() && (cs[i].is_whitespace() || cs[i] == ',') {
                        i += 1;
                    }
                    match cs.get(i) {
                        Some(']') => {
                            i += 1;
                            break;
                        }
                        Some('"') => {
                            let (s, next) = string(&cs, i + 1)
                                .ok_or_else(|| bad(rule, "a string is not closed"))?;
                            items.push(s);
                            i = next;
                        }
                        _ => return Err(bad(rule, "a list holds quoted strings")),
                    }
                }
                out.push(Tok::List(items));
            }
            _ => {
                let start = i;
                while i < cs.len()
                    && !cs[i].is_whitespace()
                    && !matches!(cs[i], '(' | ')' | '"' | '[')
                {
                    i += 1;
                }
                out.push(Tok::Word(cs[start..i].iter().collect()));
            }
        }
    }
    Ok(out)
}

fn string(cs: &[char], mut i: usize) -> Option<(String, usize)> {
    let mut s = String::new();
    while i < cs.len() {
        match cs[i] {
            '"' | '\u{201c}' | '\u{201d}' => return Some((s, i + 1)),
            '\\' if i + 1 < cs.len() => {
                s.push(cs[i + 1]);
                i += 2;
            }
            c => {
                s.push(c);
                i += 1;
            }
        }
    }
    None
}

struct Parser<'a> {
    toks: Vec<Tok>,
    at: usize,
    rule: &'a str,
}

impl Parser<'_> {
    fn peek_word(&self) -> Option<String> {
        match self.toks.get(self.at) {
            Some(Tok::Word(w)) => Some(w.to_ascii_lowercase()),
            _ => None,
        }
    }
    fn or(&mut self) -> Result<Rule> {
        let mut left = self.and()?;
        while self.peek_word().as_deref() == Some("-or") {
            self.at += 1;
            left = Rule::Or(Box::new(left), Box::new(self.and()?));
        }
        Ok(left)
    }
    fn and(&mut self) -> Result<Rule> {
        let mut left = self.unary()?;
        while self.peek_word().as_deref() == Some("-and") {
            self.at += 1;
            left = Rule::And(Box::new(left), Box::new(self.unary()?));
        }
        Ok(left)
    }
    fn unary(&mut self) -> Result<Rule> {
        if self.peek_word().as_deref() == Some("-not") {
            self.at += 1;
            return Ok(Rule::Not(Box::new(self.unary()?)));
        }
        if self.toks.get(self.at) == Some(&Tok::LParen) {
            self.at += 1;
            let r = self.or()?;
            if self.toks.get(self.at) != Some(&Tok::RParen) {
                return Err(bad(self.rule, "a parenthesis is not closed"));
            }
            self.at += 1;
            return Ok(r);
        }
        self.cmp()
    }
    fn cmp(&mut self) -> Result<Rule> {
        let Some(Tok::Word(prop)) = self.toks.get(self.at).cloned() else {
            return Err(bad(
                self.rule,
                "a comparison starts with a property such as user.department",
            ));
        };
        let Some(name) = prop
            .strip_prefix("user.")
            .or_else(|| prop.strip_prefix("User."))
            .filter(|n| !n.is_empty())
        else {
            return Err(bad(self.rule, "properties are of the user (user.<name>)"));
        };
        self.at += 1;
        let op = match self.peek_word().as_deref() {
            Some("-eq") => Op::Eq,
            Some("-ne") => Op::Ne,
            Some("-startswith") => Op::StartsWith,
            Some("-notstartswith") => Op::NotStartsWith,
            Some("-contains") => Op::Contains,
            Some("-notcontains") => Op::NotContains,
            Some("-in") => Op::In,
            Some("-notin") => Op::NotIn,
            Some(other) => {
                return Err(bad(
                    self.rule,
                    &format!("the operator '{other}' is not supported"),
                ));
            }
            None => return Err(bad(self.rule, "an operator is missing")),
        };
        self.at += 1;
        let lit = match self.toks.get(self.at).cloned() {
            Some(Tok::Str(s)) => Lit::Str(s),
            Some(Tok::List(v)) => Lit::List(v),
            Some(Tok::Word(w)) if w.eq_ignore_ascii_case("true") => Lit::Bool(true),
            Some(Tok::Word(w)) if w.eq_ignore_ascii_case("false") => Lit::Bool(false),
            Some(Tok::Word(w)) if w.eq_ignore_ascii_case("null") => Lit::Null,
            _ => return Err(bad(self.rule, "a value is missing")),
        };
        if matches!(op, Op::In | Op::NotIn) != matches!(lit, Lit::List(_)) {
            return Err(bad(
                self.rule,
                "-in and -notIn take a list, the others a single value",
            ));
        }
        self.at += 1;
        Ok(Rule::Cmp(name.to_ascii_lowercase(), op, lit))
    }
}

/// Parses a membership rule.
pub fn parse(rule: &str) -> Result<Rule> {
    let mut p = Parser {
        toks: lex(rule)?,
        at: 0,
        rule,
    };
    if p.toks.is_empty() {
        return Err(bad(rule, "it is empty"));
    }
    let r = p.or()?;
    if p.at != p.toks.len() {
        return Err(bad(rule, "something follows the end of the rule"));
    }
    Ok(r)
}

/// A user's property as the rule language names it.
enum Val {
    Str(String),
    Bool(bool),
    Null,
}

fn value(u: &User, name: &str) -> Val {
    let s = |v: &Option<String>| v.clone().map_or(Val::Null, Val::Str);
    match name {
        "department" => s(&u.department),
        "jobtitle" => s(&u.job_title),
        "displayname" => s(&u.display_name),
        "mail" => s(&u.mail),
        "mailnickname" => s(&u.mail_nickname),
        "userprincipalname" => s(&u.user_principal_name),
        "givenname" => s(&u.given_name),
        "surname" => s(&u.surname),
        "usertype" => s(&u.user_type),
        "employeeid" => s(&u.employee_id),
        "objectid" => Val::Str(u.id.clone()),
        "accountenabled" => u.account_enabled.map_or(Val::Null, Val::Bool),
        _ => Val::Null,
    }
}

/// Whether `u` satisfies the rule.
pub fn matches(rule: &Rule, u: &User) -> bool {
    match rule {
        Rule::And(a, b) => matches(a, u) && matches(b, u),
        Rule::Or(a, b) => matches(a, u) || matches(b, u),
        Rule::Not(a) => !matches(a, u),
        Rule::Cmp(name, op, lit) => {
            let v = value(u, name);
            let lower = |s: &str| s.to_lowercase();
            match (op, &v, lit) {
                (Op::Eq, Val::Null, Lit::Null) => true,
                (Op::Ne, Val::Null, Lit::Null) => false,
                (Op::Eq, _, Lit::Null) => false,
                (Op::Ne, _, Lit::Null) => true,
                (Op::Eq, Val::Bool(b), Lit::Bool(l)) => b == l,
                (Op::Ne, Val::Bool(b), Lit::Bool(l)) => b != l,
                (Op::Eq, Val::Str(s), Lit::Str(l)) => lower(s) == lower(l),
                (Op::Ne, Val::Str(s), Lit::Str(l)) => lower(s) != lower(l),
                (Op::Ne, Val::Null, _) => true,
                (Op::StartsWith, Val::Str(s), Lit::Str(l)) => lower(s).starts_with(&lower(l)),
                (Op::NotStartsWith, Val::Str(s), Lit::Str(l)) => !lower(s).starts_with(&lower(l)),
                (Op::Contains, Val::Str(s), Lit::Str(l)) => lower(s).contains(&lower(l)),
                (Op::NotContains, Val::Str(s), Lit::Str(l)) => !lower(s).contains(&lower(l)),
                (Op::In, Val::Str(s), Lit::List(l)) => l.iter().any(|x| lower(x) == lower(s)),
                (Op::NotIn, Val::Str(s), Lit::List(l)) => !l.iter().any(|x| lower(x) == lower(s)),
                (Op::NotStartsWith | Op::NotContains | Op::NotIn, Val::Null, _) => true,
                _ => false,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(department: &str, title: &str, kind: &str) -> User {
        User {
            id: "u".into(),
            display_name: Some("Ann".into()),
            user_principal_name: Some("ann@contoso.test".into()),
            mail: None,
            mail_nickname: None,
            given_name: None,
            surname: None,
            job_title: Some(title.into()),
            department: Some(department.into()),
            user_type: Some(kind.into()),
            account_enabled: Some(true),
            employee_id: None,
            manager_id: None,
            created_date_time: accessd_domain::Timestamp::parse("2030-01-01T00:00:00Z").unwrap(),
        }
    }

    #[test]
    fn rules_as_entra_writes_them() {
        let ann = user("Marketing", "Engineer", "Member");
        for (rule, want) in [
            (r#"user.department -eq "Marketing""#, true),
            (r#"user.department -eq "marketing""#, true),
            (r#"user.Department -EQ "Sales""#, false),
            (
                r#"(user.department -eq "Marketing") -and (user.jobTitle -startsWith "Eng")"#,
                true,
            ),
            (
                r#"user.department -eq "Sales" -or user.jobTitle -contains "gine""#,
                true,
            ),
            (r#"-not (user.userType -eq "Guest")"#, true),
            (r#"user.department -in ["Sales", "Marketing"]"#, true),
            (r#"user.department -notIn ["Sales", "Marketing"]"#, false),
            (r#"user.accountEnabled -eq true"#, true),
            (r#"user.employeeId -eq null"#, true),
            (r#"user.employeeId -ne null"#, false),
            (r#"user.country -eq "DE""#, false),
        ] {
            assert_eq!(matches(&parse(rule).unwrap(), &ann), want, "{rule}");
        }
    }

    #[test]
    fn bad_rules_are_refused() {
        for rule in [
            "",
            "department -eq \"x\"",
            "user.department -like \"x\"",
            "user.department -eq",
            "(user.department -eq \"x\"",
            "user.department -eq \"x",
            "user.department -in \"x\"",
            "user.department -eq \"x\" user.jobTitle",
        ] {
            assert!(parse(rule).is_err(), "{rule:?}");
        }
    }
}
