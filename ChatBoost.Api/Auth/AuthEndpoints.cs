using ChatBoost.Api.Http;
using ChatBoost.Configuration;
using ChatBoost.Grains.Interfaces.Auth;
using Microsoft.Extensions.Options;

namespace ChatBoost.Api.Auth;

/// <summary>The seed's Auth module: register, token, me, users.</summary>
public static class AuthEndpoints
{
    private const string WrongCredentials = "Incorrect email or password.";

    public static RouteGroupBuilder MapAuthEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/auth").WithTags("Authentication");

        group.MapPost("/register", RegisterAsync)
            .AllowAnonymous()
            .WithSummary("Register a new user")
            .WithDescription("Creates the user and a personal organization owned by them. E-mail addresses are unique, case-insensitively.")
            .Produces<UserResponse>(StatusCodes.Status201Created)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity);

        group.MapPost("/token", TokenAsync)
            .AllowAnonymous()
            .WithSummary("Log in and get an access token")
            .WithDescription("Accepts the OAuth2 password form (username, password as application/x-www-form-urlencoded) or the same fields as JSON. The username is the e-mail address.")
            .Accepts<TokenRequest>("application/json", "application/x-www-form-urlencoded")
            .Produces<TokenResponse>()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity);

        group.MapGet("/me", (HttpContext context) => TypedResults.Ok(UserResponse.From(CurrentUser.Get(context))))
            .RequireAuthorization()
            .WithSummary("Get the current user");

        group.MapGet("/users", ListUsersAsync)
            .RequireAuthorization()
            .WithSummary("List users")
            .WithDescription("Users who share an organization with the caller (platform administrators see everyone), ordered by id, paged with limit (1–200, default 50) and offset. The total is in the X-Total-Count header.")
            .Produces<UserResponse[]>()
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity);

        return group;
    }

    private static async Task<IResult> RegisterAsync(
        Body<RegisterRequest> body, PasswordHasher hasher, IClusterClient cluster, CancellationToken cancellationToken)
    {
        var request = body.Value;
        var hash = await hasher.HashAsync(request.Password!, cancellationToken);
        var result = await cluster.GetGrain<IUserDirectoryGrain>(0).RegisterAsync(
            new RegisterUserCommand(request.Email!.Trim(), string.IsNullOrWhiteSpace(request.FullName) ? null : request.FullName.Trim(), hash));
        return result.Outcome == RegistrationOutcome.Created
            ? TypedResults.Json(UserResponse.From(result.User!), statusCode: StatusCodes.Status201Created)
            : Problems.Conflict("An account with this e-mail address already exists.");
    }

    private static async Task<IResult> TokenAsync(
        HttpContext context,
        PasswordHasher hasher,
        TokenService tokens,
        IClusterClient cluster,
        IOptions<AuthOptions> options,
        CancellationToken cancellationToken)
    {
        var (request, problem) = await ReadTokenRequestAsync(context);
        if (problem is not null)
        {
            return problem;
        }

        var auth = options.Value;
        var window = TimeSpan.FromSeconds(auth.LoginFailureWindowSeconds);
        var email = EmailAddress.Normalize(request!.Login!);
        var accountThrottle = cluster.GetGrain<ILoginThrottleGrain>($"account:{email}");
        var ipThrottle = cluster.GetGrain<ILoginThrottleGrain>($"ip:{context.Connection.RemoteIpAddress}");
        var accountWait = await accountThrottle.CheckAsync(auth.LoginMaxFailuresPerAccount, window);
        var ipWait = await ipThrottle.CheckAsync(auth.LoginMaxFailuresPerIp, window);
        if ((accountWait ?? TimeSpan.Zero) > TimeSpan.Zero || (ipWait ?? TimeSpan.Zero) > TimeSpan.Zero)
        {
            return Problems.TooManyRequests(Max(accountWait, ipWait), context);
        }

        var login = await cluster.GetGrain<IUserDirectoryGrain>(0).FindLoginAsync(email);
        if (!await hasher.VerifyAsync(request.Password!, login?.PasswordHash, cancellationToken))
        {
            await Task.WhenAll(accountThrottle.RecordFailureAsync(window), ipThrottle.RecordFailureAsync(window));
            context.Response.Headers.WWWAuthenticate = "Bearer";
            return Problems.Unauthorized(WrongCredentials);
        }

        await accountThrottle.ResetAsync();
        if (!login!.IsActive)
        {
            return Problems.Forbidden("This account is deactivated.");
        }

        return TypedResults.Ok(new TokenResponse(tokens.Issue(login.UserId), "bearer", (int)tokens.Lifetime.TotalSeconds));
    }

    private static async Task<(TokenRequest? Request, IResult? Problem)> ReadTokenRequestAsync(HttpContext context)
    {
        if (!context.Request.HasFormContentType)
        {
            return await JsonBodyReader.ReadAsync<TokenRequest>(context);
        }

        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        var request = new TokenRequest
        {
            Username = form["username"].FirstOrDefault(),
            Password = form["password"].FirstOrDefault(),
            GrantType = form["grant_type"].FirstOrDefault() is { Length: > 0 } grant ? grant : null,
        };
        var errors = new ValidationErrors();
        request.Validate(errors);
        return errors.Any ? (null, errors.ToResult()) : (request, null);
    }

    private static async Task<IResult> ListUsersAsync(HttpContext context, IClusterClient cluster, IOptions<AuthOptions> options)
    {
        if (!Paging.TryParse(context.Request, out var paging, out var problem))
        {
            return problem!;
        }

        var caller = CurrentUser.Get(context);
        var directory = cluster.GetGrain<IUserDirectoryGrain>(0);
        var page = Organizations.PlatformAdmins.IsAdmin(options.Value, caller)
            ? await directory.ListAllAsync(paging.Limit, paging.Offset)
            : await directory.ListVisibleToAsync(caller.Id, paging.Limit, paging.Offset);
        context.Response.Headers["X-Total-Count"] = page.Total.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return TypedResults.Ok(page.Items.Select(UserResponse.From).ToArray());
    }

    private static TimeSpan Max(TimeSpan? a, TimeSpan? b) =>
        TimeSpan.FromTicks(Math.Max((a ?? TimeSpan.Zero).Ticks, (b ?? TimeSpan.Zero).Ticks));
}
