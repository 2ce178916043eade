-- accessd schema, version 2. The two commonest assignment lists, a package's assignments
-- (`accessPackage/id eq '...'`) and a user's (`target/objectId eq '...'`), are read from an
-- index alone: the index carries the document, so a page's rows lie side by side in a few index
-- pages instead of one table page each (measured in bench/README.md). It costs the size of the
-- assignments' documents twice more on disk and on each write of an assignment.
DROP INDEX assignments_access_package_id;
CREATE INDEX assignments_access_package_id_doc ON assignments (access_package_id, id, version, data);
DROP INDEX assignments_target_object_id;
CREATE INDEX assignments_target_object_id_doc ON assignments (target_object_id, id, version, data);
