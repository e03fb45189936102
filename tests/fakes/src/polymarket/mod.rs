pub struct FakePolymarket;
