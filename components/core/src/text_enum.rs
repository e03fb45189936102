//! One mechanism for the enums that are stored or sent as text (statuses, sides, reasons):
//! each variant is declared once with its spelling, and `as_str`, `parse` and `ALL` follow,
//! so the two directions cannot drift apart.

/// Declares an enum whose variants each have one text form:
///
/// ```ignore
/// text_enum! {
///     #[derive(Clone, Copy, Debug, PartialEq, Eq)]
///     pub enum Side { Buy = "BUY", Sell = "SELL" }
/// }
/// assert_eq!(Side::parse("BUY"), Some(Side::Buy));
/// ```
macro_rules! text_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $( $(#[$variant_meta:meta])* $variant:ident = $text:literal ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        $vis enum $name {
            $( $(#[$variant_meta])* $variant ),+
        }

        impl $name {
            /// Every variant, in declaration order.
            #[allow(dead_code)]
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The text form, as stored and sent.
            #[allow(dead_code)]
            pub fn as_str(&self) -> &'static str {
                match self {
                    $( $name::$variant => $text ),+
                }
            }

            /// The variant spelled exactly `text`; `None` for anything else (never a default).
            #[allow(dead_code)]
            pub fn parse(text: &str) -> Option<$name> {
                match text {
                    $( $text => Some($name::$variant), )+
                    _ => None,
                }
            }
        }
    };
}

pub(crate) use text_enum;

#[cfg(test)]
mod tests {
    text_enum! {
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        enum Light {
            /// Go.
            Green = "GREEN",
            Red = "RED",
        }
    }

    #[test]
    fn every_variant_round_trips_and_nothing_else_parses() {
        for light in Light::ALL {
            assert_eq!(Light::parse(light.as_str()), Some(*light));
        }
        assert_eq!(Light::ALL, &[Light::Green, Light::Red]);
        for other in ["green", "", "GREEN ", "YELLOW"] {
            assert_eq!(Light::parse(other), None, "{other:?}");
        }
    }
}
