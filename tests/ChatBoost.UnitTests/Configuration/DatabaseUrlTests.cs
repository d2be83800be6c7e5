using System.Data.Common;
using ChatBoost.Configuration;

namespace ChatBoost.UnitTests.Configuration;

public class DatabaseUrlTests
{
    private static DbConnectionStringBuilder Parse(string url) => new() { ConnectionString = DatabaseUrl.ToNpgsqlConnectionString(url) };

    [Fact]
    public void PostgresqlUrlBecomesConnectionString()
    {
        var cs = Parse("postgresql://chat:s%40cret%3Bx@db.example.com:6543/chatboost?sslmode=require");
        Assert.Equal("db.example.com", cs["Host"]);
        Assert.Equal("6543", cs["Port"].ToString());
        Assert.Equal("chat", cs["Username"]);
        Assert.Equal("s@cret;x", cs["Password"]);
        Assert.Equal("chatboost", cs["Database"]);
        Assert.Equal("require", cs["SSL Mode"]);
    }

    [Theory]
    [InlineData("postgres://u:p@localhost/db")]
    [InlineData("postgresql+asyncpg://u:p@localhost/db")]
    public void AcceptsPostgresSchemesAndDefaultsThePort(string url)
    {
        var cs = Parse(url);
        Assert.Equal("localhost", cs["Host"]);
        Assert.Equal("5432", cs["Port"].ToString());
        Assert.Equal("db", cs["Database"]);
    }

    [Fact]
    public void NpgsqlConnectionStringPassesThrough()
    {
        var cs = Parse("Host=127.0.0.1;Port=55432;Username=chatboost;Password=x;Database=chatboost");
        Assert.Equal("127.0.0.1", cs["Host"]);
        Assert.Equal("x", cs["Password"]);
    }

    [Theory]
    [InlineData("sqlite+aiosqlite:///./chatboost.db")]
    [InlineData("sqlite:///chatboost.db")]
    public void SqliteIsRefusedWithAClearMessage(string url)
    {
        var e = Assert.Throws<ConfigurationException>(() => DatabaseUrl.ToNpgsqlConnectionString(url));
        Assert.Contains("SQLite", e.Message, StringComparison.Ordinal);
        Assert.Contains("postgresql://", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("mysql://u:p@localhost/db", "mysql")]
    [InlineData("", "empty")]
    [InlineData("Username=x;Database=y", "Host")]
    public void OtherInputIsRefused(string url, string expected)
    {
        var e = Assert.Throws<ConfigurationException>(() => DatabaseUrl.ToNpgsqlConnectionString(url));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RefusalNeverEchoesThePassword()
    {
        var e = Assert.Throws<ConfigurationException>(() => DatabaseUrl.ToNpgsqlConnectionString("mysql://u:hunter2secret@localhost/db"));
        Assert.DoesNotContain("hunter2secret", e.Message, StringComparison.Ordinal);
    }
}
