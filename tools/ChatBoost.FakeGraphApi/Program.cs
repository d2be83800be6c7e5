using ChatBoost.FakeGraphApi;

await FakeGraphApiApp.Build(args).RunAsync();
