// Pleo's tag groups and tags (tag-groups.yml, tags.yml): the ERP's dimensions (departments,
// projects, cost centres) as tag groups, their values as tags. Groups: list, create, update
// (archive = update with `archived: true`). Tags: list a group's tags with pagination, create,
// update, archive in bulk (`POST /v0/tags/archive`). The deprecated `GET /v0/tags` is not used.
#pragma once

#include <string>
#include <vector>

#include "ledgerbridge/pleo/PleoApi.h"

namespace ledgerbridge::pleo {

/// TagGroupModel.
struct TagGroup {
    std::string id, companyId, code, name;
    bool archived = false;
};

/// TagModel.
struct Tag {
    std::string id, groupId, code, name;
    bool archived = false;
};

class TagsClient {
public:
    explicit TagsClient(PleoApi& api) : api_(api) {}

    /// GET /v0/tag-groups?company_id=…&include_archived=….
    std::vector<TagGroup> groups(const std::string& companyId, bool includeArchived = false);
    /// POST /v0/tag-groups?company_id=… {archived, code, name}.
    TagGroup createGroup(const std::string& companyId, const std::string& code, const std::string& name);
    /// PUT /v0/tag-groups/{id} {archived, code, metadata, name} (all required by the spec).
    TagGroup updateGroup(const TagGroup& group);

    /// GET /v0/tag-groups/{groupId}/tags over all pages.
    std::vector<Tag> tags(const std::string& groupId, bool includeArchived = false);
    /// POST /v0/tag-groups/{groupId}/tags {archived, code, name}. 409: the code exists.
    Tag createTag(const std::string& groupId, const std::string& code, const std::string& name);
    /// PUT /v0/tags/{id} {archived, code, name}.
    Tag updateTag(const Tag& tag);
    /// POST /v0/tags/archive {archived: true, companyId, tagIds}: the archived tags.
    std::vector<Tag> archiveTags(const std::string& companyId, const std::vector<std::string>& tagIds);

private:
    PleoApi& api_;
};

}  // namespace ledgerbridge::pleo
