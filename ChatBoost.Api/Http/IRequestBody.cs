namespace ChatBoost.Api.Http;

/// <summary>A JSON request body that validates itself after binding.</summary>
public interface IRequestBody
{
    void Validate(ValidationErrors errors);
}
