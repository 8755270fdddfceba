//! A model's values as a tree the schema can walk: records by field name, lists,
//! enum values with their variant's name, and numbers kept exactly (NaN and
//! infinities included). Built by serialising the raw mirror, so it holds every value
//! the mirror holds, under the names serde gives them (the schema's names: a test
//! proves it).

use serde::ser::{self, Serialize};

/// One value of a model.
#[derive(Clone, Debug, PartialEq)]
pub enum Node {
    /// A floating-point number.
    Number(f64),
    /// A whole number.
    Whole(u64),
    /// A signed whole number.
    Signed(i64),
    Text(String),
    Bool(bool),
    /// `None`, or the inside of a variant without parameters.
    Absent,
    /// A list or a tuple.
    List(Vec<Node>),
    /// A section or a variant's named parameters.
    Record(Vec<(&'static str, Node)>),
    /// An enum value: its variant's name and parameters (a [`Node::Record`], the one
    /// value of a tuple variant, or [`Node::Absent`]).
    Variant(&'static str, Box<Node>),
}

impl Node {
    /// The value of `name` in a record.
    pub fn get(&self, name: &str) -> Option<&Node> {
        match self {
            Node::Record(fields) => fields.iter().find(|(n, _)| *n == name).map(|(_, v)| v),
            _ => None,
        }
    }

    /// The value at a dotted `path` of record fields (no indices).
    pub fn at(&self, path: &str) -> Option<&Node> {
        path.split('.').try_fold(self, |node, name| node.get(name))
    }
}

/// `value` as a tree.
pub fn of<T: Serialize>(value: &T) -> Result<Node, Error> {
    value.serialize(Tree)
}

/// Why a value could not be written as a tree (never for the raw mirror).
#[derive(Debug)]
pub struct Error(String);

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

impl ser::Error for Error {
    fn custom<T: std::fmt::Display>(msg: T) -> Self {
        Error(msg.to_string())
    }
}

struct Tree;

/// The parts of a list, tuple or record being written.
struct Parts {
    items: Vec<Node>,
    fields: Vec<(&'static str, Node)>,
    /// The variant's name, for a tuple or struct variant.
    variant: Option<&'static str>,
}

impl Parts {
    fn new(variant: Option<&'static str>) -> Parts {
        Parts {
            items: Vec::new(),
            fields: Vec::new(),
            variant,
        }
    }

    fn list(self) -> Node {
        match self.variant {
            Some(name) => Node::Variant(name, Box::new(Node::List(self.items))),
            None => Node::List(self.items),
        }
    }

    fn record(self) -> Node {
        match self.variant {
            Some(name) => Node::Variant(name, Box::new(Node::Record(self.fields))),
            None => Node::Record(self.fields),
        }
    }
}

type R = Result<Node, Error>;

impl ser::Serializer for Tree {
    type Ok = Node;
    type Error = Error;
    type SerializeSeq = Parts;
    type SerializeTuple = Parts;
    type SerializeTupleStruct = Parts;
    type SerializeTupleVariant = Parts;
    type SerializeMap = Parts;
    type SerializeStruct = Parts;
    type SerializeStructVariant = Parts;

    fn serialize_bool(self, v: bool) -> R {
        Ok(Node::Bool(v))
    }
    fn serialize_i8(self, v: i8) -> R {
        Ok(Node::Signed(v.into()))
    }
    fn serialize_i16(self, v: i16) -> R {
        Ok(Node::Signed(v.into()))
    }
    fn serialize_i32(self, v: i32) -> R {
        Ok(Node::Signed(v.into()))
    }
    fn serialize_i64(self, v: i64) -> R {
        Ok(Node::Signed(v))
    }
    fn serialize_u8(self, v: u8) -> R {
        Ok(Node::Whole(v.into()))
    }
    fn serialize_u16(self, v: u16) -> R {
        Ok(Node::Whole(v.into()))
    }
    fn serialize_u32(self, v: u32) -> R {
        Ok(Node::Whole(v.into()))
    }
    fn serialize_u64(self, v: u64) -> R {
        Ok(Node::Whole(v))
    }
    fn serialize_f32(self, v: f32) -> R {
        Ok(Node::Number(v.into()))
    }
    fn serialize_f64(self, v: f64) -> R {
        Ok(Node::Number(v))
    }
    fn serialize_char(self, v: char) -> R {
        Ok(Node::Text(v.to_string()))
    }
    fn serialize_str(self, v: &str) -> R {
        Ok(Node::Text(v.to_string()))
    }
    fn serialize_bytes(self, v: &[u8]) -> R {
        Ok(Node::List(
            v.iter().map(|b| Node::Whole((*b).into())).collect(),
        ))
    }
    fn serialize_none(self) -> R {
        Ok(Node::Absent)
    }
    fn serialize_some<T: ?Sized + Serialize>(self, value: &T) -> R {
        value.serialize(self)
    }
    fn serialize_unit(self) -> R {
        Ok(Node::Absent)
    }
    fn serialize_unit_struct(self, _name: &'static str) -> R {
        Ok(Node::Absent)
    }
    fn serialize_unit_variant(self, _name: &'static str, _i: u32, variant: &'static str) -> R {
        Ok(Node::Variant(variant, Box::new(Node::Absent)))
    }
    fn serialize_newtype_struct<T: ?Sized + Serialize>(self, _name: &'static str, v: &T) -> R {
        v.serialize(self)
    }
    fn serialize_newtype_variant<T: ?Sized + Serialize>(
        self,
        _name: &'static str,
        _i: u32,
        variant: &'static str,
        value: &T,
    ) -> R {
        Ok(Node::Variant(variant, Box::new(value.serialize(self)?)))
    }
    fn serialize_seq(self, _len: Option<usize>) -> Result<Parts, Error> {
        Ok(Parts::new(None))
    }
    fn serialize_tuple(self, _len: usize) -> Result<Parts, Error> {
        Ok(Parts::new(None))
    }
    fn serialize_tuple_struct(self, _name: &'static str, _len: usize) -> Result<Parts, Error> {
        Ok(Parts::new(None))
    }
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _i: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Parts, Error> {
        Ok(Parts::new(Some(variant)))
    }
    fn serialize_map(self, _len: Option<usize>) -> Result<Parts, Error> {
        Ok(Parts::new(None))
    }
    fn serialize_struct(self, _name: &'static str, _len: usize) -> Result<Parts, Error> {
        Ok(Parts::new(None))
    }
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _i: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Parts, Error> {
        Ok(Parts::new(Some(variant)))
    }
}

impl ser::SerializeSeq for Parts {
    type Ok = Node;
    type Error = Error;
    fn serialize_element<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), Error> {
        self.items.push(value.serialize(Tree)?);
        Ok(())
    }
    fn end(self) -> R {
        Ok(self.list())
    }
}

impl ser::SerializeTuple for Parts {
    type Ok = Node;
    type Error = Error;
    fn serialize_element<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), Error> {
        ser::SerializeSeq::serialize_element(self, value)
    }
    fn end(self) -> R {
        Ok(self.list())
    }
}

impl ser::SerializeTupleStruct for Parts {
    type Ok = Node;
    type Error = Error;
    fn serialize_field<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), Error> {
        ser::SerializeSeq::serialize_element(self, value)
    }
    fn end(self) -> R {
        Ok(self.list())
    }
}

impl ser::SerializeTupleVariant for Parts {
    type Ok = Node;
    type Error = Error;
    fn serialize_field<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), Error> {
        ser::SerializeSeq::serialize_element(self, value)
    }
    fn end(self) -> R {
        Ok(self.list())
    }
}

/// A map's keys are dropped: the model has no maps, and its values are still walked.
impl ser::SerializeMap for Parts {
    type Ok = Node;
    type Error = Error;
    fn serialize_key<T: ?Sized + Serialize>(&mut self, _key: &T) -> Result<(), Error> {
        Ok(())
    }
    fn serialize_value<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), Error> {
        ser::SerializeSeq::serialize_element(self, value)
    }
    fn end(self) -> R {
        Ok(self.list())
    }
}

impl ser::SerializeStruct for Parts {
    type Ok = Node;
    type Error = Error;
    fn serialize_field<T: ?Sized + Serialize>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        self.fields.push((key, value.serialize(Tree)?));
        Ok(())
    }
    fn end(self) -> R {
        Ok(self.record())
    }
}

impl ser::SerializeStructVariant for Parts {
    type Ok = Node;
    type Error = Error;
    fn serialize_field<T: ?Sized + Serialize>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        ser::SerializeStruct::serialize_field(self, key, value)
    }
    fn end(self) -> R {
        Ok(self.record())
    }
}
