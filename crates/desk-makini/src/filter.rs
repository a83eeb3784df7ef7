//! Makini's list filters: `filter[field]=v`, `filter[field:op]=v`, `filterMatch=any|all`,
//! `sort[field]=1` (descending) or `0`.

/// An operator of `filter[field:op]`. `lteq` is documented and so is `lted` (the docs spell
/// it both ways): both parse, and [`FilterOp::Lteq`] is sent as `lteq`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FilterOp {
    Eq,
    Contains,
    StartsWith,
    Gt,
    Gteq,
    Lt,
    Lteq,
}

impl FilterOp {
    pub fn parse(text: &str) -> Option<Self> {
        Some(match text {
            "" | "eq" => Self::Eq,
            "contains" => Self::Contains,
            "startsWith" | "startswith" => Self::StartsWith,
            "gt" => Self::Gt,
            "gteq" | "gted" | "gte" => Self::Gteq,
            "lt" => Self::Lt,
            "lteq" | "lted" | "lte" => Self::Lteq,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Eq => "",
            Self::Contains => "contains",
            Self::StartsWith => "startsWith",
            Self::Gt => "gt",
            Self::Gteq => "gteq",
            Self::Lt => "lt",
            Self::Lteq => "lteq",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filter {
    pub field: String,
    pub op: FilterOp,
    pub value: String,
}

impl Filter {
    pub fn new(field: &str, op: FilterOp, value: impl Into<String>) -> Self {
        Self {
            field: field.to_owned(),
            op,
            value: value.into(),
        }
    }

    /// The query pair: `filter[field]` or `filter[field:op]`.
    pub fn pair(&self) -> (String, String) {
        let key = match self.op {
            FilterOp::Eq => format!("filter[{}]", self.field),
            op => format!("filter[{}:{}]", self.field, op.as_str()),
        };
        (key, self.value.clone())
    }

    /// Reads a query key back (`filter[updatedAt:lted]`), for the fake server and for support
    /// staff's raw calls. `None` for a key that is not a filter or names an unknown operator.
    pub fn parse_key(key: &str) -> Option<(String, FilterOp)> {
        let inner = key.strip_prefix("filter[")?.strip_suffix(']')?;
        let (field, op) = match inner.split_once(':') {
            Some((field, op)) => (field, FilterOp::parse(op)?),
            None => (inner, FilterOp::Eq),
        };
        (!field.is_empty()).then(|| (field.to_owned(), op))
    }
}

/// `sort[field]=0|1`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sort {
    pub field: String,
    pub descending: bool,
}

impl Sort {
    pub fn pair(&self) -> (String, String) {
        (
            format!("sort[{}]", self.field),
            if self.descending { "1" } else { "0" }.to_owned(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_documented_operator_spelling_parses_lteq_and_lted_alike() {
        for (key, field, op) in [
            ("filter[name]", "name", FilterOp::Eq),
            ("filter[name:contains]", "name", FilterOp::Contains),
            ("filter[code:startsWith]", "code", FilterOp::StartsWith),
            ("filter[updatedAt:gt]", "updatedAt", FilterOp::Gt),
            ("filter[updatedAt:gteq]", "updatedAt", FilterOp::Gteq),
            ("filter[updatedAt:lt]", "updatedAt", FilterOp::Lt),
            ("filter[updatedAt:lteq]", "updatedAt", FilterOp::Lteq),
            ("filter[updatedAt:lted]", "updatedAt", FilterOp::Lteq),
        ] {
            assert_eq!(
                Filter::parse_key(key),
                Some((field.to_owned(), op)),
                "{key}"
            );
        }
        for bad in ["filter[]", "filter[a:near]", "sort[a]", "filter[a"] {
            assert_eq!(Filter::parse_key(bad), None, "{bad}");
        }
    }

    #[test]
    fn filters_and_sorts_are_spelled_as_documented() {
        let since = Filter::new("updatedAt", FilterOp::Gt, "2026-01-01T00:00:00Z");
        assert_eq!(since.pair().0, "filter[updatedAt:gt]");
        assert_eq!(
            Filter::new("a", FilterOp::Lteq, "1").pair().0,
            "filter[a:lteq]"
        );
        assert_eq!(Filter::new("a", FilterOp::Eq, "1").pair().0, "filter[a]");
        let sort = Sort {
            field: "key".into(),
            descending: false,
        };
        assert_eq!(sort.pair(), ("sort[key]".to_owned(), "0".to_owned()));
    }
}
