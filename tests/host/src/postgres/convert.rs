//! Conversions between `spin:postgres/postgres@4.0.0` values and `tokio-postgres`, with Spin's
//! mapping (factor-outbound-pg `types.rs`):
//!
//! | Postgres                          | WIT                      |
//! |-----------------------------------|--------------------------|
//! | bool, bytea, float4/8, int2/4/8   | boolean, binary, floating32/64, int16/32/64 |
//! | text, varchar, bpchar             | str                      |
//! | timestamp                         | datetime (y, m, d, h, min, s, ns) |
//! | timestamptz                       | datetime *declared*, but read through a naive date-time, which `tokio-postgres` refuses: the query fails, exactly as on Spin |
//! | date, time, uuid, jsonb, numeric  | date, time, uuid (text), jsonb (re-serialised), decimal (text) |
//! | int4/int8/numrange                | range-int32/int64/decimal |
//! | int4[], int8[], numeric[], text/varchar/bpchar[] | array-int32/int64/decimal/str |
//! | interval                          | interval (micros, days, months) |
//! | anything else                     | other(type name) / unsupported(raw binary value) |
//! | NULL                              | db-null                  |
//!
//! Parameters go the other way; `timestamp(s64)` is seconds since the epoch as a `timestamptz`.

use std::error::Error as StdError;

use anyhow::{Context, anyhow};
use bytes::{BufMut, BytesMut};
use chrono::{Datelike, NaiveDate, NaiveDateTime, NaiveTime, Timelike};
use postgres_range::{BoundSided, BoundType, Normalizable, Range, RangeBound};
use rust_decimal::Decimal;
use tokio_postgres::Row;
use tokio_postgres::types::{FromSql, IsNull, ToSql, Type, to_sql_checked};

use crate::state::spin::postgres::postgres::{DbDataType, DbValue, Interval, ParameterValue, RangeBoundKind};

type BoxError = Box<dyn StdError + Sync + Send>;

/// The WIT data type of a column.
pub(crate) fn data_type(t: &Type) -> DbDataType {
    match *t {
        Type::BOOL => DbDataType::Boolean,
        Type::BYTEA => DbDataType::Binary,
        Type::FLOAT4 => DbDataType::Floating32,
        Type::FLOAT8 => DbDataType::Floating64,
        Type::INT2 => DbDataType::Int16,
        Type::INT4 => DbDataType::Int32,
        Type::INT8 => DbDataType::Int64,
        Type::TEXT | Type::VARCHAR | Type::BPCHAR => DbDataType::Str,
        Type::TIMESTAMP | Type::TIMESTAMPTZ => DbDataType::Datetime,
        Type::DATE => DbDataType::Date,
        Type::TIME => DbDataType::Time,
        Type::UUID => DbDataType::Uuid,
        Type::JSONB => DbDataType::Jsonb,
        Type::NUMERIC => DbDataType::Decimal,
        Type::INT4_RANGE => DbDataType::RangeInt32,
        Type::INT8_RANGE => DbDataType::RangeInt64,
        Type::NUM_RANGE => DbDataType::RangeDecimal,
        Type::INT4_ARRAY => DbDataType::ArrayInt32,
        Type::INT8_ARRAY => DbDataType::ArrayInt64,
        Type::NUMERIC_ARRAY => DbDataType::ArrayDecimal,
        Type::TEXT_ARRAY | Type::VARCHAR_ARRAY | Type::BPCHAR_ARRAY => DbDataType::ArrayStr,
        Type::INTERVAL => DbDataType::Interval,
        _ => DbDataType::Other(t.name().to_owned()),
    }
}

/// Reads column `i` of `row` as `T`, mapping it with `f`; NULL is `db-null`.
fn read<'a, T: FromSql<'a>>(
    row: &'a Row,
    i: usize,
    f: impl FnOnce(T) -> anyhow::Result<DbValue>,
) -> anyhow::Result<DbValue> {
    match row.try_get::<_, Option<T>>(i)? {
        Some(v) => f(v),
        None => Ok(DbValue::DbNull),
    }
}

/// The WIT value of column `i` of `row`.
pub(crate) fn db_value(row: &Row, i: usize) -> anyhow::Result<DbValue> {
    let ty = row.columns()[i].type_().clone();
    match ty {
        Type::BOOL => read(row, i, |v| Ok(DbValue::Boolean(v))),
        Type::BYTEA => read(row, i, |v| Ok(DbValue::Binary(v))),
        Type::FLOAT4 => read(row, i, |v| Ok(DbValue::Floating32(v))),
        Type::FLOAT8 => read(row, i, |v| Ok(DbValue::Floating64(v))),
        Type::INT2 => read(row, i, |v| Ok(DbValue::Int16(v))),
        Type::INT4 => read(row, i, |v| Ok(DbValue::Int32(v))),
        Type::INT8 => read(row, i, |v| Ok(DbValue::Int64(v))),
        Type::TEXT | Type::VARCHAR | Type::BPCHAR => read(row, i, |v| Ok(DbValue::Str(v))),
        // Spin reads both through `NaiveDateTime`, which only accepts `timestamp`.
        Type::TIMESTAMP | Type::TIMESTAMPTZ => {
            read(row, i, |v: NaiveDateTime| Ok(DbValue::Datetime(datetime_to_wit(v)?)))
        }
        Type::DATE => {
            read(row, i, |v: NaiveDate| Ok(DbValue::Date((v.year(), v.month().try_into()?, v.day().try_into()?))))
        }
        Type::TIME => read(row, i, |v: NaiveTime| Ok(DbValue::Time(time_to_wit(v)?))),
        Type::UUID => read(row, i, |v: uuid::Uuid| Ok(DbValue::Uuid(v.to_string()))),
        Type::JSONB => read(row, i, |v: serde_json::Value| {
            Ok(DbValue::Jsonb(serde_json::to_vec(&v).context("invalid JSON from database")?))
        }),
        Type::NUMERIC => read(row, i, |v: Decimal| Ok(DbValue::Decimal(v.to_string()))),
        Type::INT4_RANGE => read(row, i, |v: Range<i32>| Ok(DbValue::RangeInt32(range_to_wit(&v, |x| *x)))),
        Type::INT8_RANGE => read(row, i, |v: Range<i64>| Ok(DbValue::RangeInt64(range_to_wit(&v, |x| *x)))),
        Type::NUM_RANGE => {
            read(row, i, |v: Range<PgDecimal>| Ok(DbValue::RangeDecimal(range_to_wit(&v, |d| d.0.to_string()))))
        }
        Type::INT4_ARRAY => read(row, i, |v| Ok(DbValue::ArrayInt32(v))),
        Type::INT8_ARRAY => read(row, i, |v| Ok(DbValue::ArrayInt64(v))),
        Type::NUMERIC_ARRAY => read(row, i, |v: Vec<Option<Decimal>>| {
            Ok(DbValue::ArrayDecimal(v.iter().map(|d| d.map(|d| d.to_string())).collect()))
        }),
        Type::TEXT_ARRAY | Type::VARCHAR_ARRAY | Type::BPCHAR_ARRAY => read(row, i, |v| Ok(DbValue::ArrayStr(v))),
        Type::INTERVAL => read(row, i, |v: PgInterval| Ok(DbValue::Interval(v.0))),
        _ => read(row, i, |v: RawValue| Ok(DbValue::Unsupported(v.0))),
    }
}

fn datetime_to_wit(v: NaiveDateTime) -> anyhow::Result<(i32, u8, u8, u8, u8, u8, u32)> {
    let (h, min, s, ns) = time_to_wit(v.time())?;
    Ok((v.year(), v.month().try_into()?, v.day().try_into()?, h, min, s, ns))
}

fn time_to_wit(v: NaiveTime) -> anyhow::Result<(u8, u8, u8, u32)> {
    Ok((v.hour().try_into()?, v.minute().try_into()?, v.second().try_into()?, v.nanosecond()))
}

type WitBound<T> = Option<(T, RangeBoundKind)>;

fn range_to_wit<T, W>(r: &Range<T>, f: impl Fn(&T) -> W) -> (WitBound<W>, WitBound<W>)
where
    T: PartialOrd + Normalizable,
{
    let kind = |t: BoundType| match t {
        BoundType::Inclusive => RangeBoundKind::Inclusive,
        BoundType::Exclusive => RangeBoundKind::Exclusive,
    };
    (r.lower().map(|b| (f(&b.value), kind(b.type_))), r.upper().map(|b| (f(&b.value), kind(b.type_))))
}

fn range_from_wit<T, W>(
    (lower, upper): &(WitBound<W>, WitBound<W>),
    f: impl Fn(&W) -> anyhow::Result<T>,
) -> anyhow::Result<Range<T>>
where
    T: PartialOrd + Normalizable,
{
    fn bound<S: BoundSided, T: PartialOrd, W>(
        b: &WitBound<W>,
        f: &impl Fn(&W) -> anyhow::Result<T>,
    ) -> anyhow::Result<Option<RangeBound<S, T>>> {
        b.as_ref()
            .map(|(v, k)| {
                let t = match k {
                    RangeBoundKind::Inclusive => BoundType::Inclusive,
                    RangeBoundKind::Exclusive => BoundType::Exclusive,
                };
                Ok(RangeBound::new(f(v)?, t))
            })
            .transpose()
    }
    Ok(Range::new(bound(lower, &f)?, bound(upper, &f)?))
}

fn decimal(s: &str) -> anyhow::Result<Decimal> {
    Decimal::from_str_exact(s).with_context(|| format!("invalid decimal {s}"))
}

/// A query parameter as `tokio-postgres` sends it.
pub(crate) fn parameter(value: &ParameterValue) -> anyhow::Result<Box<dyn ToSql + Send + Sync>> {
    Ok(match value {
        ParameterValue::Boolean(v) => Box::new(*v),
        ParameterValue::Int8(v) => Box::new(*v),
        ParameterValue::Int16(v) => Box::new(*v),
        ParameterValue::Int32(v) => Box::new(*v),
        ParameterValue::Int64(v) => Box::new(*v),
        ParameterValue::Floating32(v) => Box::new(*v),
        ParameterValue::Floating64(v) => Box::new(*v),
        ParameterValue::Str(v) => Box::new(v.clone()),
        ParameterValue::Binary(v) => Box::new(v.clone()),
        ParameterValue::Date((y, m, d)) => Box::new(date(*y, *m, *d)?),
        ParameterValue::Time((h, min, s, ns)) => Box::new(time(*h, *min, *s, *ns)?),
        ParameterValue::Datetime((y, m, d, h, min, s, ns)) => {
            Box::new(NaiveDateTime::new(date(*y, *m, *d)?, time(*h, *min, *s, *ns)?))
        }
        ParameterValue::Timestamp(secs) => Box::new(
            chrono::DateTime::<chrono::Utc>::from_timestamp(*secs, 0)
                .ok_or_else(|| anyhow!("invalid epoch timestamp {secs}"))?,
        ),
        ParameterValue::Uuid(v) => Box::new(uuid::Uuid::parse_str(v).with_context(|| format!("invalid UUID {v}"))?),
        ParameterValue::Jsonb(v) => Box::new(
            serde_json::from_slice::<serde_json::Value>(v)
                .with_context(|| format!("invalid JSON {}", String::from_utf8_lossy(v)))?,
        ),
        ParameterValue::Decimal(v) => Box::new(decimal(v)?),
        ParameterValue::RangeInt32(r) => Box::new(range_from_wit(r, |v| Ok(*v))?),
        ParameterValue::RangeInt64(r) => Box::new(range_from_wit(r, |v| Ok(*v))?),
        ParameterValue::RangeDecimal(r) => Box::new(range_from_wit(r, |v: &String| Ok(PgDecimal(decimal(v)?)))?),
        ParameterValue::ArrayInt32(v) => Box::new(v.clone()),
        ParameterValue::ArrayInt64(v) => Box::new(v.clone()),
        ParameterValue::ArrayDecimal(v) => {
            Box::new(v.iter().map(|d| d.as_deref().map(decimal).transpose()).collect::<anyhow::Result<Vec<_>>>()?)
        }
        ParameterValue::ArrayStr(v) => Box::new(v.clone()),
        ParameterValue::Interval(v) => Box::new(PgInterval(*v)),
        ParameterValue::DbNull => Box::new(PgNull),
    })
}

fn date(y: i32, m: u8, d: u8) -> anyhow::Result<NaiveDate> {
    NaiveDate::from_ymd_opt(y, m.into(), d.into()).ok_or_else(|| anyhow!("invalid date y={y}, m={m}, d={d}"))
}

fn time(h: u8, min: u8, s: u8, ns: u32) -> anyhow::Result<NaiveTime> {
    NaiveTime::from_hms_nano_opt(h.into(), min.into(), s.into(), ns)
        .ok_or_else(|| anyhow!("invalid time {h}:{min}:{s}:{ns}"))
}

/// `numeric` inside ranges: a continuous type, so bounds are not normalised.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd)]
struct PgDecimal(Decimal);

impl Normalizable for PgDecimal {
    fn normalize<S: BoundSided>(bound: RangeBound<S, Self>) -> RangeBound<S, Self> {
        bound
    }
}

impl<'a> FromSql<'a> for PgDecimal {
    fn from_sql(ty: &Type, raw: &'a [u8]) -> Result<Self, BoxError> {
        Decimal::from_sql(ty, raw).map(Self)
    }
    fn accepts(ty: &Type) -> bool {
        <Decimal as FromSql>::accepts(ty)
    }
}

impl ToSql for PgDecimal {
    fn to_sql(&self, ty: &Type, out: &mut BytesMut) -> Result<IsNull, BoxError> {
        self.0.to_sql(ty, out)
    }
    fn accepts(ty: &Type) -> bool {
        <Decimal as ToSql>::accepts(ty)
    }
    to_sql_checked!();
}

/// `interval` in its binary form: microseconds, days, months.
#[derive(Debug)]
struct PgInterval(Interval);

impl<'a> FromSql<'a> for PgInterval {
    fn from_sql(_: &Type, raw: &'a [u8]) -> Result<Self, BoxError> {
        let raw: [u8; 16] = raw.try_into().map_err(|_| "unexpected binary format for Postgres INTERVAL")?;
        let (micros, rest) = raw.split_at(8);
        let (days, months) = rest.split_at(4);
        Ok(Self(Interval {
            micros: i64::from_be_bytes(micros.try_into()?),
            days: i32::from_be_bytes(days.try_into()?),
            months: i32::from_be_bytes(months.try_into()?),
        }))
    }
    fn accepts(ty: &Type) -> bool {
        *ty == Type::INTERVAL
    }
}

impl ToSql for PgInterval {
    fn to_sql(&self, _: &Type, out: &mut BytesMut) -> Result<IsNull, BoxError> {
        out.put_i64(self.0.micros);
        out.put_i32(self.0.days);
        out.put_i32(self.0.months);
        Ok(IsNull::No)
    }
    fn accepts(ty: &Type) -> bool {
        *ty == Type::INTERVAL
    }
    to_sql_checked!();
}

/// Any other type: its raw binary value.
struct RawValue(Vec<u8>);

impl<'a> FromSql<'a> for RawValue {
    fn from_sql(_: &Type, raw: &'a [u8]) -> Result<Self, BoxError> {
        Ok(Self(raw.to_vec()))
    }
    fn accepts(_: &Type) -> bool {
        true
    }
}

/// `db-null`: NULL of whatever type the statement expects.
#[derive(Debug)]
struct PgNull;

impl ToSql for PgNull {
    fn to_sql(&self, _: &Type, _: &mut BytesMut) -> Result<IsNull, BoxError> {
        Ok(IsNull::Yes)
    }
    fn accepts(_: &Type) -> bool {
        true
    }
    to_sql_checked!();
}
